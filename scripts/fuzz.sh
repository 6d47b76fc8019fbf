#!/usr/bin/env bash
# Fuzzing (not part of the test suite): builds the libFuzzer targets with clang (the `fuzz`
# preset) and runs each for a bounded time, starting from the committed seed corpus.
#   bash scripts/fuzz.sh [seconds per target, default 60] [target...]
# New interesting inputs go to build/fuzz/corpus/<target> (not committed); a crash stops the run
# and leaves its input in build/fuzz/artifacts/. Set GCSCOPE_FUZZ_BUILD to build elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(fuzz_wire fuzz_snapshot_stream fuzz_database)

# clang with its libFuzzer and sanitizer runtimes (Debian: clang, libclang-rt-14-dev).
EXTRA=()
command -v clang++ > /dev/null || EXTRA+=(clang)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a > /dev/null 2>&1 || EXTRA+=(libclang-rt-14-dev)
bash scripts/install-deps.sh "${EXTRA[@]}"

BUILD=${GCSCOPE_FUZZ_BUILD:-build/fuzz}
cmake --preset fuzz -B "$BUILD" > /dev/null
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}"

mkdir -p "$BUILD/artifacts"
declare -A SEEDS=([fuzz_wire]=wire [fuzz_snapshot_stream]=snapshot_stream [fuzz_database]=database)
declare -A MAX_LEN=([fuzz_wire]=4096 [fuzz_snapshot_stream]=16384 [fuzz_database]=65536)
SUMMARY=()
for target in "${TARGETS[@]}"; do
    work="$BUILD/corpus/$target"
    mkdir -p "$work"
    log="$BUILD/$target.log"
    echo "fuzz: $target for ${SECONDS_PER_TARGET} s (log: $log)"
    # ASan's leak check runs at exit only; -rss_limit_mb and -malloc_limit_mb catch inputs that
    # make the code allocate what a number in them says.
    if ! ASAN_OPTIONS=detect_leaks=1 "$BUILD/tests/fuzz/$target" "$work" "tests/fuzz/corpus/${SEEDS[$target]}" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len="${MAX_LEN[$target]}" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$target-" > "$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzz: $target FAILED; the input is in $BUILD/artifacts/" >&2
        exit 1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    SUMMARY+=("$target: ${runs:-?} executions (${per_second:-?}/s), no crash; corpus $(ls "$work" | wc -l) inputs")
done
printf 'fuzz: %s\n' "${SUMMARY[@]}"
