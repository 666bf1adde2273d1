#!/usr/bin/env bash
# Builds and runs the cargo-fuzz targets of fuzz/fuzz_targets (see fuzz/README.md).
#
#   fuzz/run.sh smoke [TOTAL_SECONDS]               CI: seed tests, build, every target for
#                                                   TOTAL_SECONDS/N each (default 105: 6 s each for 17,
#                                                   about two minutes with start-up)
#   fuzz/run.sh long SECONDS [-j JOBS] [TARGET...]  every (or the named) target for SECONDS each,
#                                                   JOBS targets at a time (default 1); the corpus
#                                                   grows in fuzz/work/corpus and is kept
#   fuzz/run.sh replay                              every target once over its seeds and
#                                                   fuzz/regressions/<target> (no fuzzing)
#   fuzz/run.sh seeds                               the seed tests only (cargo test of fuzz/src/lib.rs)
#   fuzz/run.sh build | list
#
# Each run prints a table of executions per target and fails (exit 1) on a build failure, a
# crash, a timeout or a target that did not run. Nothing is skipped silently: without
# cargo-fuzz the script fails and says how to install it.
set -euo pipefail

FUZZ_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
WORK="$FUZZ_DIR/work"   # gitignored: grown corpora, artifacts, logs
cd "$ROOT"

# Per-input time limit: a slow input is a finding too.
UNIT_TIMEOUT=10

die() { echo "fuzz/run.sh: $*" >&2; exit 1; }

usage() { sed -n '2,14p' "$FUZZ_DIR/run.sh" | sed 's/^# \{0,1\}//'; exit 2; }

targets() {
    local f
    for f in "$FUZZ_DIR"/fuzz_targets/*.rs; do basename "$f" .rs; done
}

require_cargo_fuzz() {
    cargo fuzz --version >/dev/null 2>&1 \
        || die "cargo-fuzz is not installed: run \`cargo install cargo-fuzz --locked\` (fuzzing was NOT run)"
}

bin_dir() {
    local host
    host="$(rustc -vV | sed -n 's/^host: //p')"
    echo "$FUZZ_DIR/target/$host/release"
}

build() {
    require_cargo_fuzz
    echo "building every fuzz target (cargo fuzz build: release, debug assertions, AddressSanitizer)"
    local start=$SECONDS
    # Stable accepts the sanitizer flags cargo-fuzz passes only with RUSTC_BOOTSTRAP=1 (set
    # for this command only: cargo fingerprints it, and the seed tests share the main target dir).
    RUSTC_BOOTSTRAP=1 cargo fuzz build || die "cargo fuzz build failed"
    echo "built $(targets | wc -l) targets in $((SECONDS - start)) s"
}

# The seed tests: the committed seeds still decode, validate and decrypt, so the fuzzer starts
# deep. They share the main target dir (they are a plain debug build, no sanitizer).
seed_tests() {
    echo "seed tests (cargo test --manifest-path fuzz/Cargo.toml --lib)"
    CARGO_TARGET_DIR="$ROOT/target" cargo test --manifest-path "$FUZZ_DIR/Cargo.toml" --lib --quiet \
        || die "the seed tests failed: a committed seed no longer reaches what it was chosen for"
}

# run_one TARGET SECONDS CORPUS_DIR ARTIFACT_DIR LOG RESULT_FILE [EXTRA_CORPUS_DIR...]
# Fuzzes TARGET (SECONDS = 0: only runs the given inputs once) and writes one result line:
# target, seconds, executions, exec/s, cov, corpus units, status, detail.
run_one() {
    local target=$1 seconds=$2 corpus=$3 artifacts=$4 log=$5 result=$6
    shift 6
    local bin
    bin="$(bin_dir)/$target"
    [[ -x "$bin" ]] || die "$target: no binary at $bin (build first)"
    mkdir -p "$corpus" "$artifacts"
    local limit=(-max_total_time="$seconds")
    [[ "$seconds" == 0 ]] && limit=(-runs=0)
    local start rc=0
    start=$(date +%s.%N)
    "$bin" "$corpus" "$@" "${limit[@]}" -timeout="$UNIT_TIMEOUT" -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?
    local elapsed runs cov units status detail=""
    elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [[ -n "$runs" ]] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
    units=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)
    if [[ $rc == 0 ]]; then
        status=ok
    else
        status="FAILED(exit $rc)"
        grep -q 'Test unit written to' "$log" && status=CRASH
        # The panic location and its message (the next line), else libFuzzer's or ASan's verdict.
        detail=$( (grep -m1 -A1 "panicked at" "$log" || grep -m1 -E "ERROR: libFuzzer|SUMMARY:" "$log" || tail -1 "$log") \
            | tr '\t\n' '  ')
        detail+=" | input: $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -1) | log: $log"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$elapsed" "${runs:-0}" \
        "$(awk -v r="${runs:-0}" -v t="$elapsed" 'BEGIN { printf "%d", (t > 0 ? r / t : 0) }')" \
        "${cov:--}" "${units:--}" "$status" "$detail" >"$result"
}

# report RESULT_DIR TARGET... : the table; exits 1 unless every target ran and passed.
report() {
    local dir=$1
    shift
    local t failed=0 total=0 missing=0
    echo
    printf '%-30s %8s %13s %9s %7s %7s  %s\n' target seconds executions exec/s cov corpus result
    for t in "$@"; do
        if [[ ! -s "$dir/$t.result" ]]; then
            printf '%-30s %8s %13s %9s %7s %7s  %s\n' "$t" - - - - - "DID NOT RUN"
            missing=$((missing + 1))
            continue
        fi
        local target elapsed runs rate cov units status detail
        IFS=$'\t' read -r target elapsed runs rate cov units status detail <"$dir/$t.result"
        printf '%-30s %8s %13s %9s %7s %7s  %s\n' "$target" "$elapsed" "$runs" "$rate" "$cov" "$units" "$status"
        total=$((total + runs))
        if [[ "$status" != ok ]]; then
            failed=$((failed + 1))
            echo "    $detail"
        fi
    done
    printf '%-30s %8s %13s\n' "all ($# targets)" "" "$total"
    if ((failed + missing > 0)); then
        echo "fuzzing FAILED: $failed target(s) crashed or failed, $missing did not run" >&2
        return 1
    fi
    echo "no crashes"
}

# fuzz_all SECONDS JOBS MODE TARGET... (MODE smoke: scratch corpus; long: kept corpus)
fuzz_all() {
    local seconds=$1 jobs=$2 mode=$3
    shift 3
    local base="$WORK" results
    [[ $mode == smoke ]] && base="$WORK/smoke" && rm -rf "$base"
    results="$base/results"
    rm -rf "$results"
    mkdir -p "$results" "$base/logs"
    local t running=0
    for t in "$@"; do
        [[ -d "$FUZZ_DIR/corpus/$t" ]] || die "$t has no seed corpus in fuzz/corpus/$t"
        echo "fuzzing $t for ${seconds}s"
        # New inputs go to the first (scratch or kept) directory; the committed seeds and
        # regressions are read only, and a regression that crashes again fails the run.
        local inputs=("$FUZZ_DIR/corpus/$t")
        [[ -d "$FUZZ_DIR/regressions/$t" ]] && inputs+=("$FUZZ_DIR/regressions/$t")
        run_one "$t" "$seconds" "$base/corpus/$t" "$base/artifacts/$t" "$base/logs/$t.log" "$results/$t.result" \
            "${inputs[@]}" &
        running=$((running + 1))
        if ((running >= jobs)); then
            wait -n || true
            running=$((running - 1))
        fi
    done
    wait || true
    local rc=0
    report "$results" "$@" | tee "$base/summary.txt" || rc=$?
    return $rc
}

replay() {
    local base="$WORK/replay" t dirs
    rm -rf "$base"
    mkdir -p "$base/results" "$base/logs"
    for t in $(targets); do
        dirs=("$FUZZ_DIR/corpus/$t")
        [[ -d "$FUZZ_DIR/regressions/$t" ]] && dirs+=("$FUZZ_DIR/regressions/$t")
        run_one "$t" 0 "$base/corpus/$t" "$base/artifacts/$t" "$base/logs/$t.log" "$base/results/$t.result" "${dirs[@]}"
    done
    # shellcheck disable=SC2046
    report "$base/results" $(targets)
}

mode=${1:-}
[[ -n "$mode" ]] || usage
shift
case "$mode" in
    list) targets ;;
    build) build ;;
    seeds) seed_tests ;;
    smoke)
        total=${1:-105}
        [[ "$total" =~ ^[0-9]+$ ]] || usage
        mapfile -t all < <(targets)
        per=$((total / ${#all[@]}))
        ((per >= 1)) || per=1
        seed_tests
        build
        echo "smoke run: ${#all[@]} targets × ${per}s"
        fuzz_all "$per" 1 smoke "${all[@]}"
        ;;
    long)
        seconds=${1:-}
        [[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || usage
        shift
        jobs=1
        if [[ "${1:-}" == -j ]]; then
            jobs=${2:-}
            [[ "$jobs" =~ ^[0-9]+$ && "$jobs" -gt 0 ]] || usage
            shift 2
        fi
        if (($# > 0)); then
            for t in "$@"; do [[ -f "$FUZZ_DIR/fuzz_targets/$t.rs" ]] || die "no target $t (see fuzz/run.sh list)"; done
            chosen=("$@")
        else
            mapfile -t chosen < <(targets)
        fi
        build
        fuzz_all "$seconds" "$jobs" long "${chosen[@]}"
        ;;
    replay)
        build
        replay
        ;;
    *) usage ;;
esac
