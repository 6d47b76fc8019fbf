#!/usr/bin/env bash
# The main job: build gcscope and open the desktop application recording the bundled leaking demo
# service live (`gcscope-gui --demo`), or with what is given instead: a recording, `--attach PID`.
#   bash scripts/demo.sh [FILE.db | --attach PID]
# Without a display it records the demo with the CLI instead and prints what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The headers of 3.13 to 3.15, so the agent is built for those versions too (no root needed).
bash scripts/sid-pythons.sh headers
BUILD=build/release
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DBUILD_GUI=ON > /dev/null
cmake --build "$BUILD" -j"$(nproc)"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${GCSCOPE_DEMO_CLI:-}" ]; then
    if [ $# -gt 0 ]; then
        exec "$BUILD/ui/gcscope-gui" "$@"
    fi
    echo "demo: starting gcscope-gui --demo (Stop with Ctrl+. or close the window; the demo service ends with it)"
    exec "$BUILD/ui/gcscope-gui" --demo
fi

echo "demo: no display (DISPLAY and WAYLAND_DISPLAY are unset): recording the demo with the CLI instead"
OUT=${GCSCOPE_DEMO_DB:-demo.db}
rm -f "$OUT"
"$BUILD/profiler/gcscope" run -o "$OUT" --interval 100 --census-every 2 --snapshot-every 10 -- \
    python3 demo/leaky_service.py "${GCSCOPE_DEMO_SECONDS:-15}"
"$BUILD/profiler/gcscope" info "$OUT"
echo "demo: open it on a machine with a display: $BUILD/ui/gcscope-gui $OUT"
