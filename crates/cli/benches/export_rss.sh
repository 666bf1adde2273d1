#!/usr/bin/env bash
# Peak RSS of `wecom approvals export` at two company sizes, for NDJSON and SQLite output.
#
# The emulator runs as its own process (`wecom emulator`), so the figures are the exporting
# CLI's own memory, not the emulator's dataset. Needs GNU time (/usr/bin/time; `apt-get install
# time`). Run from the workspace root after `cargo build --release -p wecom-cli`:
#
#   crates/cli/benches/export_rss.sh                 # 10000 and 100000 forms
#   SIZES="2000 50000" crates/cli/benches/export_rss.sh
#   WECOM=/path/to/another/wecom crates/cli/benches/export_rss.sh   # compare two builds
set -euo pipefail

WECOM=${WECOM:-target/release/wecom}
SIZES=${SIZES:-10000 100000}
FORMATS=${FORMATS:-ndjson sqlite}
RATE=100000000 # calls/min: neither side rate-limits, so the run measures memory, not waiting
TIME=${TIME_BIN:-/usr/bin/time}

[ -x "$WECOM" ] || { echo "no $WECOM: run cargo build --release -p wecom-cli" >&2; exit 2; }
"$TIME" -v true 2>/dev/null || { echo "GNU time is missing: apt-get install time" >&2; exit 2; }

work=$(mktemp -d)
emu_pid=
cleanup() {
    [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

printf '%-8s %-7s %10s %8s %s\n' forms format "peak RSS" seconds written
for n in $SIZES; do
    "$WECOM" emulator --addr 127.0.0.1:0 --approvals "$n" --rate-limit "$RATE" >"$work/emu.out" 2>"$work/emu.err" &
    emu_pid=$!
    for _ in $(seq 1 600); do
        grep -q 'corp secret' "$work/emu.out" 2>/dev/null && break
        kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emu.err" >&2; exit 1; }
        sleep 0.1
    done
    base=$(sed -n 's/^wecom emulator listening on //p' "$work/emu.out")
    corp=$(sed -n 's/^ *corp id: *//p' "$work/emu.out")
    secret=$(sed -n 's/^ *corp secret: *//p' "$work/emu.out")
    for fmt in $FORMATS; do
        out="$work/approvals.$fmt"
        rm -f "$out" "$out-wal" "$out-shm"
        "$TIME" -v "$WECOM" --base-url "$base" --corp-id "$corp" --corp-secret "$secret" \
            --rate-limit "$RATE" --no-progress \
            approvals export --since 2025-01-01 --until 2025-06-30 --out "$out" \
            >/dev/null 2>"$work/run.err" || { cat "$work/run.err" >&2; exit 1; }
        kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/run.err")
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/run.err")
        written=$(grep -m1 -o 'wrote [0-9]* approvals' "$work/run.err" || true)
        printf '%-8s %-7s %7.1f MB %8s %s\n' "$n" "$fmt" "$(echo "$kb / 1024" | bc -l)" "$wall" "$written"
    done
    kill "$emu_pid"
    wait "$emu_pid" 2>/dev/null || true
    emu_pid=
done
