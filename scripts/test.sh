#!/usr/bin/env bash
# The test command: install what is missing, build from scratch, run the whole suite with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Debian's CPython 3.13, 3.14 and 3.15: headers to build the agent for them, and a sid root to run
# them in (tests on them skip with the reason when it cannot be made).
bash scripts/sid-pythons.sh all
BUILD=build/test
rm -rf "$BUILD"
# Optimised as released, with line tables only (-g1, not -g): a crash's backtrace still names each
# function, file and line, and the build, more than half of CI's time, is faster (the heaviest file,
# cli/cmd_analyze.cpp, compiles in 13 s instead of 18 to 23). A build to debug in: build/dev-asan.
FLAGS="-O2 -g1 -DNDEBUG"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$FLAGS" -DCMAKE_C_FLAGS_RELWITHDEBINFO="$FLAGS"
cmake --build "$BUILD" -j"$(nproc)"
# Two tests at once on two cores or more: the integration tests spend much of their time waiting on
# their targets (recordings of a few seconds), and the suite was 15 of CI's 28 minutes run one at a
# time. Not more: four at once on two cores stretched two load-sensitive integration tests past
# their limits (a target's loop stalled 6.4 s, recordings got too few snapshots and censuses).
jobs=$(nproc)
((jobs > 2)) && jobs=2
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j"$jobs" "$@"
