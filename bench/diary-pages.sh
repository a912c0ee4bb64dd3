#!/usr/bin/env bash
# Page-serving benchmark: a release build of `virgule` over a fresh SQLite database filled by
# `virgule demo` (1,000 members x 100 entries), then wrk at concurrency 32 against a member's
# diary page, one entry's permalink and the recent log. Prints figures; judges nothing.
#
# Knobs (environment): MEMBERS (1000), ENTRIES (100), DURATION (15s), THREADS (2),
# CONNECTIONS (32), CARGO_TARGET_DIR (/var/tmp/virgule-target).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/virgule-target}"
MEMBERS="${MEMBERS:-1000}"
ENTRIES="${ENTRIES:-100}"
DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"

# The member in the middle of the demo set, and an entry in the middle of their diary.
MEMBER="$(printf 'demo%04d' $((MEMBERS / 2)))"
ENTRY=$((ENTRIES / 2))
PATHS=("/person/$MEMBER/diary.html" "/person/$MEMBER/diary/$ENTRY.html" "/recentlog.html")

if ! command -v wrk >/dev/null 2>&1; then
    echo "==> installing wrk"
    (apt-get update && apt-get install -y wrk) >/dev/null
fi

echo "==> building the release binary"
cargo build --release --locked -p virgule
BIN="$CARGO_TARGET_DIR/release/virgule"

DATA="$(mktemp -d -t virgule-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

echo "==> virgule demo --members $MEMBERS --entries-per-member $ENTRIES (data in $DATA)"
demo_start=$(date +%s%N)
"$BIN" --data-dir "$DATA/site" demo --members "$MEMBERS" --entries-per-member "$ENTRIES"
demo_ms=$((($(date +%s%N) - demo_start) / 1000000))
demo_seconds="$((demo_ms / 1000)).$(((demo_ms % 1000) / 100))"
db_size=$(du -sh "$DATA/site" | cut -f1)

echo "==> starting virgule serve"
RUST_LOG="${RUST_LOG:-info}" "$BIN" --data-dir "$DATA/site" serve --listen 127.0.0.1:0 \
    2>"$DATA/serve.log" &
SERVER_PID=$!
ADDR=""
for _ in $(seq 1 600); do
    ADDR="$(sed -n 's/.*listening on http:\/\/\([^ ]*\).*/\1/p' "$DATA/serve.log" | head -n 1)"
    [[ -n "$ADDR" ]] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "error: the server exited; its log:" >&2
        cat "$DATA/serve.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$ADDR" ]]; then
    echo "error: the server did not announce its address within 60 s" >&2
    exit 1
fi
BASE="http://$ADDR"
echo "    serving on $BASE"

echo "==> checking and warming up the pages"
for path in "${PATHS[@]}"; do
    code="$(curl -s -o /dev/null -w '%{http_code}' "$BASE$path")"
    echo "    $path -> HTTP $code"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d3s "$BASE$path" >/dev/null
done

declare -a ROWS
for path in "${PATHS[@]}"; do
    echo "==> wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $BASE$path"
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$path")"
    echo "$out"
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    non2xx="$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<<"$out")"
    errors="$(awk '/Socket errors/ {print}' <<<"$out" | sed 's/^ *Socket errors: *//')"
    ROWS+=("$(printf '%-36s %12s %10s %10s %10s  %s' "$path" "${rps:-?}" "${p50:-?}" "${p99:-?}" "${non2xx:-0}" "${errors:-}")")
done

echo "==> stopping the server (SIGTERM)"
kill -TERM "$SERVER_PID"
if wait "$SERVER_PID"; then
    echo "    stopped cleanly"
else
    echo "    the server exited with status $?"
fi
SERVER_PID=""

echo
echo "Summary: $MEMBERS members x $ENTRIES entries (database $db_size, demo load ${demo_seconds} s);"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores"
printf '%-36s %12s %10s %10s %10s  %s\n' "path" "req/s" "p50" "p99" "non-2xx" "socket errors"
for row in "${ROWS[@]}"; do
    echo "$row"
done
