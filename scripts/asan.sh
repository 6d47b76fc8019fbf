#!/usr/bin/env bash
# The sanitizer run: the whole test suite against an ASan + UBSan build of the core, the CLI, the
# GUI and the tests (the agent that is injected into Python targets is never instrumented).
#   bash scripts/asan.sh [ctest arguments...]      e.g. bash scripts/asan.sh -R integration
# Set GCSCOPE_ASAN_BUILD to build elsewhere than build/dev-asan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD=${GCSCOPE_ASAN_BUILD:-build/dev-asan}
cmake --preset dev-asan -B "$BUILD"
cmake --build "$BUILD" -j"$(nproc)"
# The dev-asan test preset sets ASAN_OPTIONS (leak checking on), UBSAN_OPTIONS (stop at the first
# report) and the LeakSanitizer suppressions for what embedded CPython keeps until exit.
ctest --preset dev-asan --test-dir "$BUILD" "$@"
