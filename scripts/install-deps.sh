#!/usr/bin/env bash
# Installs the Debian 12 packages gcscope needs to build and test, skipping those already present.
set -euo pipefail

PACKAGES=(
    build-essential cmake ninja-build pkg-config
    libunwind-dev libsqlite3-dev sqlite3 nlohmann-json3-dev libcli11-dev libfmt-dev
    libgtest-dev libgmock-dev
    python3 python3-dev util-linux procps strace dpkg-dev desktop-file-utils appstream
    curl ca-certificates xz-utils gpgv debian-archive-keyring debootstrap
    qt6-base-dev qt6-charts-dev qt6-svg-dev qt6-qpa-plugins libgl-dev libqt6opengl6-dev
)
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
