#!/usr/bin/env bash
# Benchmarks (not part of the test suite): build a release tree and run tests/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD=build/bench
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF > /dev/null
cmake --build "$BUILD" -j"$(nproc)"
PYTHONS=(/usr/bin/python3)
if command -v python3 > /dev/null; then
    PATH_PY=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
    [ "$PATH_PY" != "$(realpath /usr/bin/python3)" ] && PYTHONS+=("$PATH_PY")
fi
/usr/bin/python3 tests/bench/sampling_overhead.py "$BUILD/profiler/gcscope" "${PYTHONS[@]}"
