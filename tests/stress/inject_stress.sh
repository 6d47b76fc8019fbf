#!/usr/bin/env bash
# Stress test of the injector's safe-point check (not part of ctest: it takes a minute or two).
#
# A malloc-heavy, single-threaded Python target is started fresh N times and injected once each
# time, first with the safe-point check on (every target must survive), then with it off as a
# negative control (a remote dlopen landing inside malloc corrupts the heap, so some targets
# must die or hang; if none do, the control proves nothing and we say so).
#
#   tests/stress/inject_stress.sh [BUILD_DIR] [N] [PYTHON]
#   defaults: build-inject, 30, /usr/bin/python3.11
# Exit status: 0 when every checked injection left its target alive and working, else 1.
set -u

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=${1:-$source_dir/build-inject}
count=${2:-30}
python=${3:-/usr/bin/python3.11}
tool=$build/tests/unit/inject/gcscope_inject_tool
probe=$build/tests/unit/inject/libgcscope_test_probe.so
target_script=$source_dir/tests/unit/inject/targets/inject_target.py

for f in "$tool" "$probe" "$python" "$target_script"; do
    [[ -e $f ]] || { echo "missing $f (build the tests first: cmake --build $build)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/gcscope-inject-stress-XXXXXX)
trap 'rm -rf "$work"' EXIT

state_of() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone; }
lines_of() { wc -l < "$1"; }

# run_series LABEL [TOOL FLAGS...]: prints one summary line, sets $series_survived.
run_series() {
    local label=$1
    shift
    local survived=0 died=0 hung=0 refused=0 retried=0 retries=0
    for ((i = 1; i <= count; i++)); do
        local out=$work/target.out
        "$python" "$target_script" malloc > "$out" 2>&1 &
        local pid=$!
        for ((w = 0; w < 100; w++)); do grep -qs ready "$out" && break; sleep 0.05; done
        sleep 0.2 # let the heap churn

        local result
        result=$("$tool" "$@" --timeout-ms 5000 "$pid" "$probe" probe_start "$work/probe.out" 2>&1)
        sleep 0.5
        local before after
        before=$(lines_of "$out")
        sleep 0.7
        after=$(lines_of "$out")
        local state
        state=$(state_of "$pid")

        if [[ $state == Z || $state == gone ]]; then
            wait "$pid" 2>/dev/null
            local status=$?
            died=$((died + 1))
            echo "  [$label] #$i: target died (exit status $status): $(tail -n 1 "$out")"
        elif ((after == before)); then
            hung=$((hung + 1))
            echo "  [$label] #$i: target stopped making progress (state $state): $result"
        elif [[ $result != ok* ]]; then
            refused=$((refused + 1))
            echo "  [$label] #$i: injection refused, target fine: $result"
        else
            survived=$((survived + 1))
            local r=${result#*retries=}
            r=${r%% *}
            retries=$((retries + r))
            ((r > 0)) && retried=$((retried + 1))
        fi
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    echo "$label: $count injections: $survived survived and worked, $died targets died, $hung hung," \
        "$refused refused; $retried needed a safe-point retry ($retries retries in all)"
    series_survived=$survived
}

echo "Injecting $probe into $count fresh malloc-heavy $python targets"
run_series "safe-point check on"
checked=$series_survived
run_series "safe-point check OFF (negative control)" --no-safe-point
control=$series_survived

status=0
if ((checked != count)); then
    echo "FAIL: with the safe-point check, $((count - checked)) of $count injections harmed or missed the target"
    status=1
fi
if ((control == count)); then
    echo "WARNING: the negative control had no failures, so this run does not show the check doing the work"
fi
exit $status
