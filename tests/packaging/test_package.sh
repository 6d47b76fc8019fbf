#!/usr/bin/env bash
# GIVEN a built tree, WHEN cpack makes the .deb and it is unpacked into a scratch root, THEN the
# installed files alone (nothing from the build tree) record a real Python target, snapshot it,
# read the recording back, and the GUI starts offscreen and opens it.
# Usage: test_package.sh BUILD_DIR SOURCE_DIR. Exit 77 (skipped) when ptrace is not permitted.
set -euo pipefail
BUILD=$(realpath "$1")
SRC=$(realpath "$2")
work=$(mktemp -d)
target=""
cleanup() {
    [ -n "$target" ] && kill "$target" 2> /dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

(cd "$BUILD" && cpack -G DEB -B "$work/pkg" > "$work/cpack.log" 2>&1) || {
    cat "$work/cpack.log"
    fail "cpack could not build the .deb"
}
deb=$(ls "$work"/pkg/*.deb)
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libsqlite3 libunwind libqt6charts6 libqt6widgets6 libqt6svg6; do
    grep -q "$lib" <<< "$depends" || fail "the package does not depend on $lib (shlibdeps)"
done

root="$work/root"
dpkg-deb -x "$deb" "$root"
multiarch=$(gcc -print-multiarch 2> /dev/null || echo x86_64-linux-gnu)
for f in usr/bin/gcscope usr/bin/gcscope-gui "usr/lib/$multiarch/gcscope/libgcscope_agent_py311.so" \
    usr/share/applications/org.gcscope.gcscope.desktop usr/share/metainfo/org.gcscope.gcscope.metainfo.xml \
    usr/share/icons/hicolor/scalable/apps/org.gcscope.gcscope.svg usr/share/man/man1/gcscope.1.gz \
    usr/share/man/man1/gcscope-gui.1.gz usr/share/bash-completion/completions/gcscope \
    usr/share/gcscope/demo/leaky_service.py; do
    [ -e "$root/$f" ] || fail "missing from the package: /$f"
done
if command -v desktop-file-validate > /dev/null; then
    desktop-file-validate "$root/usr/share/applications/org.gcscope.gcscope.desktop"
fi
if command -v appstreamcli > /dev/null; then
    appstreamcli validate --no-net --pedantic "$root/usr/share/metainfo/org.gcscope.gcscope.metainfo.xml" > /dev/null \
        || fail "AppStream metainfo does not validate"
fi
bash -n "$root/usr/share/bash-completion/completions/gcscope" || fail "the bash completion has a syntax error"

gcs="$root/usr/bin/gcscope"
"$gcs" --version | grep -q "^gcscope [0-9]" || fail "gcscope --version"
QT_QPA_PLATFORM=offscreen "$root/usr/bin/gcscope-gui" --version | grep -q "^gcscope-gui [0-9]" || fail "gcscope-gui --version"
agent=$("$gcs" doctor --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["agent"])')
[ "$agent" = "$root/usr/lib/$multiarch/gcscope" ] || fail "the installed gcscope uses the agents in $agent"
[ -f "$agent/libgcscope_agent_py311.so" ] || fail "the package has no 3.11 agent"

if ! python3 - << 'PY'; then
import ctypes, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
child = subprocess.Popen(["sleep", "10"])
ok = libc.ptrace(0x4206, child.pid, None, None) == 0
child.kill()
sys.exit(0 if ok else 1)
PY
    echo "SKIP: ptrace is not permitted here, the installed programs cannot attach"
    exit 77
fi
/usr/bin/python3 -u "$SRC/tests/targets/busy.py" > /dev/null &
target=$!
sleep 0.5
"$gcs" record --pid "$target" -o "$work/rec.db" --duration 1 --interval 50 --snapshot-at-end
"$gcs" info "$work/rec.db" --json | python3 -c '
import json, sys
info = json.load(sys.stdin)
assert info["samples"] > 5, info["samples"]
assert len(info["snapshots"]) == 1, info["snapshots"]
assert info["sessions"][0]["status"] == "complete"
print("recorded %d samples and %d snapshot from the installed files" % (info["samples"], len(info["snapshots"])))'
kill -0 "$target" || fail "the target did not survive"
QT_QPA_PLATFORM=offscreen timeout 60 "$root/usr/bin/gcscope-gui" "$work/rec.db" --screenshot "$work/gui.png" \
    --screenshot-delay 1500 || fail "the installed GUI could not open the recording"
[ -s "$work/gui.png" ] || fail "the installed GUI drew nothing"
python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(24)
assert d[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", d[16:24])
assert w >= 640 and h >= 400, (w, h)
print("the installed GUI opened the recording offscreen (%dx%d screenshot)" % (w, h))' "$work/gui.png" \
    || fail "the installed GUI's screenshot is not a window-sized PNG"
# The benchmark's way of timing the GUI's first answer: the Leaks view of the recording's snapshot.
loaded=$(QT_QPA_PLATFORM=offscreen timeout 60 "$root/usr/bin/gcscope-gui" "$work/rec.db" --tab leaks --until-loaded 2>&1 \
    | grep "^gcscope-gui: the leaks view loaded in [0-9.]* s$") || fail "the installed GUI did not say when its Leaks view loaded"
echo "$loaded"
if QT_QPA_PLATFORM=offscreen timeout 30 "$root/usr/bin/gcscope-gui" "$work/missing.db" --screenshot "$work/bad.png" \
    > "$work/bad.log" 2>&1; then
    fail "the installed GUI accepted a file that does not exist"
fi
refusal=$(grep "^gcscope-gui: Cannot open recording: .*missing.db: no such file" "$work/bad.log") \
    || fail "the installed GUI did not say why it cannot open a missing file: $(cat "$work/bad.log")"
echo "the installed GUI refuses a missing file: $refusal"
echo "1 passed, 0 failed"
