#!/usr/bin/env bash
# Benchmarks (not part of the test suite): build a release tree and run tests/bench/ on every
# interpreter here (tests/bench/target_interpreters.py: Debian's and pyenv's, sid's 3.13-3.15 chrooted;
# missing ones are skipped with the reason), with the exact agent form and the portable one when built.
#   GCSCOPE_BENCH_OBJECTS=1000000  the heap snapshots' heap size
#   GCSCOPE_BENCH_BIG=1            adds a ~10M-object heap
#   GCSCOPE_BENCH_ROUNDS=5         sampling overhead: alternating rounds per interpreter and form
#   GCSCOPE_BENCH_ROUND_S=6        sampling overhead: seconds per round
#   GCSCOPE_BENCH_PYTHONS=all      interpreters by label (debian-3.11 sid-3.15 ...) or path
#   GCSCOPE_BENCH_FORMS=exact      only the exact agent form (default: the portable one too)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Debian's CPython 3.13, 3.14 and 3.15: headers to build their agents, a sid root to run them in.
bash scripts/sid-pythons.sh all
BUILD=build/bench
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$BUILD" -j"$(nproc)" --target gcscope gcscope-gui gcscope_agents snapshot_analysis_bench analysis_bench \
    memory_costs
# What this machine charges for fresh memory and a forked child's pages: the snapshot's walk and
# store are made of these, and they differ by tens of times between machines (tests/bench/memory_costs.cpp).
"$BUILD/tests/bench/memory_costs"
read -r -a PYTHONS <<< "${GCSCOPE_BENCH_PYTHONS:-all}"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
status=0
/usr/bin/python3 tests/bench/sampling_overhead.py "$BUILD/profiler/gcscope" "${PYTHONS[@]}" --json "$RESULTS" \
    || status=1
# Heap snapshots: a ~1M-object heap (set GCSCOPE_BENCH_BIG=1 to add a ~10M-object one).
SIZES=("${GCSCOPE_BENCH_OBJECTS:-1000000}")
[ "${GCSCOPE_BENCH_BIG:-0}" = 1 ] && SIZES+=(10000000)
/usr/bin/python3 tests/bench/snapshot_bench.py "$BUILD" "${PYTHONS[@]}" --json "$RESULTS" "${SIZES[@]}" || status=1
# The analysis engine alone on synthetic graphs.
"$BUILD/tests/unit/analysis/analysis_bench" || status=1
echo
echo "=== all interpreters ==="
/usr/bin/python3 tests/bench/bench_table.py "$RESULTS"
exit $status
