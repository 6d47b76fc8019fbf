#!/usr/bin/env bash
# Benchmarks (not part of the test suite): build a release tree and run tests/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD=build/bench
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$BUILD" -j"$(nproc)" --target gcscope gcscope_agent snapshot_analysis_bench analysis_bench
PYTHONS=(/usr/bin/python3)
if command -v python3 > /dev/null; then
    PATH_PY=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
    [ "$PATH_PY" != "$(realpath /usr/bin/python3)" ] && PYTHONS+=("$PATH_PY")
fi
/usr/bin/python3 tests/bench/sampling_overhead.py "$BUILD/profiler/gcscope" "${PYTHONS[@]}"
# Heap snapshots: a ~1M-object heap (set GCSCOPE_BENCH_BIG=1 to add a ~10M-object one).
SIZES=(1000000)
[ "${GCSCOPE_BENCH_BIG:-0}" = 1 ] && SIZES+=(10000000)
/usr/bin/python3 tests/bench/snapshot_bench.py "$BUILD" /usr/bin/python3 "${SIZES[@]}"
# The analysis engine alone on synthetic graphs.
"$BUILD/tests/unit/analysis/analysis_bench"
