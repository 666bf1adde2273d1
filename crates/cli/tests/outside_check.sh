#!/usr/bin/env bash
# The outside check of `wecom approvals sync` (README, "Sync"): two real processes.
#
#   1. `wecom-emulator` on port A, with activity for 20 s pushed (with faults: dropped,
#      duplicated, delayed, reordered pushes) to http://127.0.0.1:B/wecom/callback;
#   2. `wecom approvals sync --listen 127.0.0.1:B … --duration 40s` into mirror.sqlite;
#   3. once both are settled, a fresh `wecom approvals export` over the same range;
#   4. every form's sp_status and content (the full detail JSON) must agree.
#
# Usage: crates/cli/tests/outside_check.sh [WORKDIR]   (builds the two binaries first)
# Env: PORT_A, PORT_B (default 18181/18182), ACTIVITY (changes/min, default 240),
#      APPROVALS (default 150), DURATION (default 40s), ACTIVITY_FOR (default 20s).
set -euo pipefail

root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
a="${PORT_A:-18181}"
b="${PORT_B:-18182}"
activity="${ACTIVITY:-240}"
approvals="${APPROVALS:-150}"
duration="${DURATION:-40s}"
activity_for="${ACTIVITY_FOR:-20s}"
token="outsideCheckToken"
key="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
corp=(--base-url "http://127.0.0.1:$a" --corp-id wwemulatorcorp0001 --corp-secret emulator-secret --no-progress)

cargo build --quiet --manifest-path "$root/Cargo.toml" -p wecom-emulator -p wecom-cli
bin="$root/target/debug"

rm -f "$work"/mirror.sqlite* "$work"/fresh.ndjson
"$bin/wecom-emulator" --addr "127.0.0.1:$a" --approvals "$approvals" --journals 0 \
  --callback-url "http://127.0.0.1:$b/wecom/callback" --callback-token "$token" --callback-aes-key "$key" \
  --activity "$activity" --activity-for "$activity_for" \
  --push-fault-seed 3 --push-drop 0.1 --push-duplicate 0.2 --push-delay-rate 0.1 --push-reorder 0.1 \
  >"$work/emulator.log" 2>&1 &
emulator=$!
trap 'kill $emulator 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$a/_emulator/" >/dev/null 2>&1 && break
  sleep 0.1
done

start=$(date +%s)
"$bin/wecom" "${corp[@]}" approvals sync --since 2025-01-01 --out "$work/mirror.sqlite" \
  --listen "127.0.0.1:$b" --callback-token "$token" --callback-aes-key "$key" \
  --reconcile-every 10s --duration "$duration" 2>"$work/sync.log"
echo "sync ran $(( $(date +%s) - start )) s; its summary:"
grep -A4 '^sync ' "$work/sync.log"
# The inbox must not wait behind the backfill's writes: a hook that misses its 3 s answers 503
# (WeCom retries, but gives up after three attempts). Before batch 1, a quarter of the POSTs did.
read -r received refused503 < <(sed -n 's/^  callbacks: \([0-9]*\) received:.* \([0-9]*\) answered 503.*/\1 \2/p' "$work/sync.log")
if [ -z "${received:-}" ] || [ $((refused503 * 10)) -gt "$received" ]; then
  echo "OUTSIDE CHECK FAILED: ${refused503:-?} of ${received:-?} callbacks answered 503"
  exit 1
fi

until=$(TZ=Asia/Shanghai date -d tomorrow +%F)
"$bin/wecom" "${corp[@]}" approvals export --since 2025-01-01 --until "$until" --out "$work/fresh.ndjson" 2>"$work/export.log"
tail -n 3 "$work/export.log" | grep -v '^ ' || true

python3 - "$work/mirror.sqlite" "$work/fresh.ndjson" <<'EOF'
import json, sqlite3, sys
db, fresh = sys.argv[1], sys.argv[2]
mirror = {sp: json.loads(j) for sp, j in sqlite3.connect(db).execute("SELECT sp_no, json FROM approvals")}
export = {}
with open(fresh) as f:
    for line in f:
        d = json.loads(line)
        export[d["sp_no"]] = d
only_mirror = sorted(set(mirror) - set(export))
only_export = sorted(set(export) - set(mirror))
status = [k for k in mirror.keys() & export.keys() if mirror[k]["sp_status"] != export[k]["sp_status"]]
content = [k for k in mirror.keys() & export.keys() if mirror[k] != export[k]]
con = sqlite3.connect(db)
events = con.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM approval_events WHERE source = 'callback'").fetchone()
pending = con.execute("SELECT COUNT(*) FROM callback_inbox WHERE state = 'pending'").fetchone()[0]
print(f"forms: mirror {len(mirror)}, export {len(export)}; only in mirror {len(only_mirror)}, only in export {len(only_export)}")
print(f"sp_status differs: {len(status)}; content differs: {len(content)}")
print(f"event log: {events[0]} callback entries, {events[1]} distinct events; inbox pending: {pending}")
bad = only_mirror or only_export or status or content or events[0] != events[1] or pending
if bad:
    print("OUTSIDE CHECK FAILED", (only_mirror + only_export + status + content)[:5])
    sys.exit(1)
print("outside check: OK, the mirror agrees with a fresh export on every form")
EOF
