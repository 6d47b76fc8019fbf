#!/usr/bin/env bash
# The main job: build gcscope, record the bundled leaking demo service for a while, show what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD=build/release
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF > /dev/null
cmake --build "$BUILD" -j"$(nproc)"
OUT=${GCSCOPE_DEMO_DB:-demo.db}
rm -f "$OUT"
"$BUILD/profiler/gcscope" run -o "$OUT" --interval 100 --census-every 2 -- python3 demo/leaky_service.py "${GCSCOPE_DEMO_SECONDS:-15}"
"$BUILD/profiler/gcscope" info "$OUT"
