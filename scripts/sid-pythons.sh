#!/usr/bin/env bash
# Debian's own CPython 3.13, 3.14 and 3.15 (from the sid suite), in folders this project owns, never
# through the machine's apt sources (sid's libc would replace Debian 12's):
#
#   bash scripts/sid-pythons.sh headers   each version's headers (libpython3.X-dev), for building the
#                                         agent against them: .cache/pythons/headers/3.X (no root)
#   bash scripts/sid-pythons.sh root      a sid root with the three interpreters, where tests run
#                                         targets with chroot (what a container looks like to gcscope):
#                                         .cache/pythons/sid-root (root or sudo, and debootstrap)
#   bash scripts/sid-pythons.sh all       both
#
# Every download is checked: the suite's InRelease against Debian's archive keyring (gpgv), the
# package index against InRelease, each package against the index. Both steps are skipped when done
# already; neither fails the caller when the archive cannot be reached: it says so on one line, the
# build then leaves those versions out and the tests that need them skip with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."

MIRROR=${GCSCOPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=sid
VERSIONS=(3.13 3.14 3.15)
CACHE=${GCSCOPE_PYTHONS_DIR:-$PWD/.cache/pythons}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "sid-pythons: $*"; }

fetch() { curl -fsSL --retry 3 --connect-timeout 20 -o "$2" "$1"; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The package index of sid/main/amd64, checked against the signed InRelease. Prints its path.
package_index() {
    local dir=$CACHE/index
    mkdir -p "$dir"
    if [ -s "$dir/Packages" ] && [ -n "$(find "$dir/Packages" -mmin -720 2>/dev/null)" ]; then
        echo "$dir/Packages"
        return 0
    fi
    fetch "$MIRROR/dists/$SUITE/InRelease" "$dir/InRelease" || { say "cannot reach $MIRROR"; return 1; }
    gpgv --keyring "$KEYRING" --output "$dir/Release" "$dir/InRelease" 2>/dev/null \
        || { say "the $SUITE InRelease does not verify against $KEYRING"; return 1; }
    local want
    want=$(awk '/^SHA256:/{s=1;next} /^[^ ]/{s=0} s && $3=="main/binary-amd64/Packages.xz"{print $1}' "$dir/Release")
    [ -n "$want" ] || { say "no main/binary-amd64/Packages.xz in the $SUITE Release file"; return 1; }
    fetch "$MIRROR/dists/$SUITE/main/binary-amd64/Packages.xz" "$dir/Packages.xz" || { say "cannot fetch the package index"; return 1; }
    [ "$(sha256_of "$dir/Packages.xz")" = "$want" ] || { say "the package index does not match its Release checksum"; return 1; }
    xz -dc "$dir/Packages.xz" >"$dir/Packages.new" && mv "$dir/Packages.new" "$dir/Packages"
    echo "$dir/Packages"
}

# "Filename Version SHA256" of one package in the index.
package_entry() {
    awk -v want="$2" 'BEGIN{RS="";FS="\n"} {
        name="";file="";ver="";sum="";
        for(i=1;i<=NF;i++){
            if($i ~ /^Package: /) name=substr($i,10);
            else if($i ~ /^Filename: /) file=substr($i,11);
            else if($i ~ /^Version: /) ver=substr($i,10);
            else if($i ~ /^SHA256: /) sum=substr($i,9);
        }
        if(name==want){print file, ver, sum; exit}
    }' "$1"
}

headers() {
    local index
    index=$(package_index) || return 0
    for v in "${VERSIONS[@]}"; do
        local out=$CACHE/headers/$v
        local entry file version sum
        entry=$(package_entry "$index" "libpython$v-dev")
        if [ -z "$entry" ]; then
            say "no libpython$v-dev in $SUITE: Python $v is left out"
            continue
        fi
        read -r file version sum <<<"$entry"
        if [ "$(cat "$out/.version" 2>/dev/null)" = "$version" ]; then
            say "headers of Python $v ($version) present"
            continue
        fi
        local deb=$CACHE/index/$(basename "$file")
        if ! fetch "$MIRROR/$file" "$deb" || [ "$(sha256_of "$deb")" != "$sum" ]; then
            say "cannot fetch a verified libpython$v-dev: Python $v is left out"
            rm -f "$deb"
            continue
        fi
        rm -rf "$out.new" && mkdir -p "$out.new"
        dpkg-deb -x "$deb" "$out.new" && echo "$version" >"$out.new/.version" && rm -rf "$out" && mv "$out.new" "$out"
        rm -f "$deb"
        say "headers of Python $v ($version) in $out"
    done
}

root() {
    local dir=$CACHE/sid-root
    local want="python3.13 python3.14 python3.15"
    if [ -f "$dir/.gcscope-ready" ] && [ "$(cat "$dir/.gcscope-ready")" = "$want" ]; then
        say "sid root present: $dir"
        return 0
    fi
    local SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
            say "making a sid root needs root (or sudo): the tests on 3.13 to 3.15 will skip"
            return 0
        fi
    fi
    if ! command -v debootstrap >/dev/null; then
        say "debootstrap is missing: the tests on 3.13 to 3.15 will skip"
        return 0
    fi
    $SUDO rm -rf "$dir.new"
    mkdir -p "$CACHE"
    say "making a sid root with ${want// /, } in $dir (a few minutes)"
    if ! $SUDO debootstrap --variant=minbase --include="${want// /,}" "$SUITE" "$dir.new" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1; then
        say "debootstrap failed (see $CACHE/debootstrap.log): the tests on 3.13 to 3.15 will skip"
        return 0
    fi
    # Keep the root small: its package cache is not needed.
    $SUDO rm -rf "$dir.new/var/cache/apt/archives/"*.deb
    echo "$want" | $SUDO tee "$dir.new/.gcscope-ready" >/dev/null
    $SUDO rm -rf "$dir" && $SUDO mv "$dir.new" "$dir"
    say "sid root ready: $dir"
}

case "${1:-all}" in
headers) headers ;;
root) root ;;
all) headers; root ;;
*) echo "usage: $0 headers|root|all" >&2; exit 2 ;;
esac
exit 0
