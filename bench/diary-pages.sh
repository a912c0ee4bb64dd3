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

# shellcheck source=bench/lib.sh
source bench/lib.sh

ensure_wrk
build_release

DATA="$(mktemp -d -t virgule-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
    stop_server
    rm -rf "$DATA"
}
trap cleanup EXIT

echo "==> virgule demo --members $MEMBERS --entries-per-member $ENTRIES (data in $DATA)"
demo_start=$(now_ms)
"$BIN" --data-dir "$DATA/site" demo --members "$MEMBERS" --entries-per-member "$ENTRIES"
demo_seconds=$(seconds_since "$demo_start")
db_size=$(du -sh "$DATA/site" | cut -f1)

echo "==> starting virgule serve"
start_server "$DATA/serve.log" --data-dir "$DATA/site"

echo "==> checking and warming up the pages"
check_pages "${PATHS[@]}"
warm_up 3s "${PATHS[@]}"

declare -a ROWS
for path in "${PATHS[@]}"; do
    measure "$DURATION" "$path"
    ROWS+=("$(printf '%-36s %12s %10s %10s %10s  %s' "$path" "$WRK_RPS" "$WRK_P50" "$WRK_P99" "$WRK_NON2XX" "$WRK_ERRORS")")
done

echo "==> stopping the server (SIGTERM)"
stop_server

echo
echo "Summary: $MEMBERS members x $ENTRIES entries (database $db_size, demo load ${demo_seconds} s);"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores"
printf '%-36s %12s %10s %10s %10s  %s\n' "path" "req/s" "p50" "p99" "non-2xx" "socket errors"
for row in "${ROWS[@]}"; do
    echo "$row"
done
