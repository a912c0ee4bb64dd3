#!/usr/bin/env bash
# Load test (issue 15, point 5): wrk for DURATION (10 minutes: 5 of warm-up, then 5 judged)
# at CONNECTIONS (256) on a mix of pages, feeds and API calls, reads and writes, against a
# 1,000,000-entry database. It asks for zero 5xx, no error in the server's log, and resident
# memory flat after warm-up. The warm-up is as long as the server's bounded caches take to
# fill on a site whose files are not in the kernel's cache (SQLite's page and statement
# caches, the sidebars): about five minutes, after which a 30-minute run stayed flat
# (docs/proof.md "Load"); a leak keeps climbing past it.
#
#   bash bench/load.sh                      # SQLite, the full ten minutes
#   BACKEND=postgres bash bench/load.sh     # the same on PostgreSQL
#   MEMBERS=200 PER_MEMBER=5 TOKENS=20 DURATION=20s WARMUP=5 bash bench/load.sh  # a quick check
#
# Steps:
#   1. A release build of `virgule` (cargo build --release --locked -p virgule).
#   2. The site: SQLite in DATA (/var/tmp/virgule-load-sqlite-MEMBERSxPER_MEMBER), or, with
#      BACKEND=postgres, the database PG_DB on PG_URL, filled once by `virgule demo --members
#      MEMBERS --entries-per-member PER_MEMBER` (timed) and reused by later runs while its
#      marker says it was filled completely (a file `filled` in DATA; the database's comment).
#      Each run adds its writes (a few thousand entries, replies, certifications) to it.
#      Start the fill early (FILL_ONLY=1): on a busy 2-core machine `virgule demo` wrote about
#      90 entries a second on SQLite (25 KB each on disk), so 1,000,000 take about 3 hours.
#   3. `virgule serve` (VIRGULE_TRUST_SEEDS=demo0000, so that the recent log has authors;
#      RUST_LOG=info, the default logging) with its log in a file, and a check that a few
#      pages answer 200.
#   4. Bearer tokens for TOKENS members ranked Apprentice or above (demo0001 onwards, as
#      /api/v1/people/NAME says), through POST /api/v1/tokens with the demo's password.
#      Proofs of a password are rate limited (crates/virgule-web/src/limits.rs: 20 a minute
#      per client address, 10 per account); rather than wait or loosen the limit, the calls
#      are spread over source addresses 127.0.0.2, 127.0.0.3, ... (curl --interface), 15
#      each, so the limit itself stays as it ships; TOKEN_JOBS at a time. A 429 stops the
#      script.
#   5. wrk -tTHREADS -cCONNECTIONS -dDURATION --timeout WRK_TIMEOUT -s bench/load.lua: the mix
#      (weights in bench/load.lua: about 92% reads of pages, feeds and the API, 8% writes
#      with the tokens: new entries, replies, certifications, diary ratings), counting the
#      answers by status class. Meanwhile the server's VmRSS is sampled every 5 s, with the
#      page cache's size and the allocator's live and resident bytes from /metrics.
#   6. Figures: requests, req/s, latency, status classes, every 4xx and 5xx by status and
#      error code, the same by route from /metrics (which route a failure came from), RSS
#      before the load, after WARMUP seconds, at the end and its maximum, and the log's
#      ERROR, WARN and panic lines.
#
# Judges, and exits 1 on any of: a 5xx answer, a socket error (a refused, reset or timed-out
# connection), an ERROR or panic line in the server's log, RSS in the last minute above RSS in
# the minute after warm-up by more than RSS_TOLERANCE_PCT (10) percent or RSS_TOLERANCE_MIB
# (16 MiB), whichever is larger. Each minute is read as the median of its 5 s samples: the
# trust and interest recomputations (after certifications and ratings) and the allocator
# giving memory back move RSS by tens of MiB between two samples, so one sample against
# another judged noise (a run failed on a trough at warm-up and a peak at the end, its
# minutes' medians within bounds). The single samples are printed too. Unexpected 4xx and
# WARN lines are printed, not judged.
#
# Knobs (environment): DURATION (600s), CONNECTIONS (256), THREADS (2), WARMUP (300: seconds
# into the run when "after warm-up" is sampled), BACKEND (sqlite | postgres), DATA (the SQLite
# data directory, above), PG_URL (postgres://postgres@127.0.0.1:5432/postgres), PG_DB
# (virgule_load_MEMBERSxPER_MEMBER), MEMBERS (10000), PER_MEMBER (100), TOKENS (200),
# TOKEN_JOBS (4: tokens made at a time), WRK_TIMEOUT (30s), RSS_TOLERANCE_PCT (10),
# RSS_TOLERANCE_MIB (16), KEEP_DATA (1: keep the filled site for the next run; 0: remove it
# at the end), FILL_ONLY (1: stop once the site is filled, e.g. to fill both backends ahead
# of the runs), SERVER_LOG (/var/tmp/virgule-load-BACKEND-serve.log, kept after the run),
# BENCH_BIN (a virgule binary to run instead of building this tree's), CARGO_TARGET_DIR
# (/var/tmp/virgule-target).
# Needs wrk (apt-get install -y wrk, done here when run as root) and curl; psql for postgres.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/virgule-target}"
DURATION="${DURATION:-600s}"
CONNECTIONS="${CONNECTIONS:-256}"
THREADS="${THREADS:-2}"
WARMUP="${WARMUP:-300}"
BACKEND="${BACKEND:-sqlite}"
MEMBERS="${MEMBERS:-10000}"
PER_MEMBER="${PER_MEMBER:-100}"
TOKENS="${TOKENS:-200}"
DATA="${DATA:-/var/tmp/virgule-load-sqlite-${MEMBERS}x$PER_MEMBER}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="${PG_DB:-virgule_load_${MEMBERS}x$PER_MEMBER}"
WRK_TIMEOUT="${WRK_TIMEOUT:-30s}"
RSS_TOLERANCE_PCT="${RSS_TOLERANCE_PCT:-10}"
RSS_TOLERANCE_MIB="${RSS_TOLERANCE_MIB:-16}"
KEEP_DATA="${KEEP_DATA:-1}"
FILL_ONLY="${FILL_ONLY:-0}"
# Kept after the run (overwritten by the next), so that a warning can be read in context.
SERVER_LOG="${SERVER_LOG:-/var/tmp/virgule-load-$BACKEND-serve.log}"
# Must match `virgule demo` (crates/virgule/src/cmd/demo.rs: DEMO_PASSWORD) and its articles
# (community.rs: three for every ten members).
DEMO_PASSWORD="virgule-demo-2026"
ARTICLES=$(((MEMBERS + 9) / 10 * 3))
# Tokens made per source address, under the limit of 20 proofs of a password a minute.
TOKENS_PER_ADDRESS=15
TOKEN_JOBS="${TOKEN_JOBS:-4}"

# shellcheck source=bench/lib.sh
source bench/lib.sh

case "$BACKEND" in
    sqlite) ;;
    postgres)
        if ! command -v psql >/dev/null 2>&1; then
            echo "error: BACKEND=postgres needs psql (apt-get install -y postgresql-client)" >&2
            exit 1
        fi
        if ! psql "$PG_URL" -X -q -Atc 'SELECT 1' >/dev/null; then
            echo "error: PostgreSQL is not reachable at ${PG_URL#*@}" >&2
            exit 1
        fi
        if [[ ! "$PG_DB" =~ ^[a-z_][a-z0-9_]*$ ]]; then
            echo "error: PG_DB must be a plain lower-case name, not '$PG_DB'" >&2
            exit 2
        fi
        ;;
    *)
        echo "error: unknown BACKEND '$BACKEND' (sqlite or postgres)" >&2
        exit 2
        ;;
esac
if ! command -v wrk >/dev/null 2>&1; then
    if ((EUID == 0)); then
        ensure_wrk
    else
        echo "error: wrk is missing: install it with 'apt-get install -y wrk' (as root)" >&2
        exit 1
    fi
fi
if [[ -n "${BENCH_BIN:-}" ]]; then
    BIN="$BENCH_BIN"
    echo "==> running $BIN"
else
    build_release
fi

export VIRGULE_TRUST_SEEDS=demo0000
WORK="$(mktemp -d -t virgule-load.XXXXXX)"
SERVER_PID=""
SAMPLER_PID=""
cleanup() {
    if [[ -n "$SAMPLER_PID" ]]; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
    fi
    stop_server
    rm -rf "$WORK"
    if [[ "$KEEP_DATA" == 0 ]]; then
        if [[ "$BACKEND" == postgres ]]; then
            psql "$PG_URL" -X -q -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true
        else
            rm -rf "$DATA"
        fi
    fi
}
trap cleanup EXIT

# The site: filled once, reused while its marker says the fill completed.
MARKER="virgule-load ${MEMBERS}x$PER_MEMBER"
if [[ "$BACKEND" == postgres ]]; then
    SITE_URL="${PG_URL%/*}/$PG_DB"
    SITE_ARGS=(--data-dir "$WORK/site" --database-url "$SITE_URL")
    comment="$(psql "$PG_URL" -X -Atc "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '$PG_DB'")"
    if [[ "$comment" == "$MARKER" ]]; then
        echo "==> reusing the database $PG_DB (filled by an earlier run)"
        FILLED=0
    else
        psql "$PG_URL" -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
            -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" \
            -c "CREATE DATABASE $PG_DB"
        FILLED=1
    fi
else
    SITE_ARGS=(--data-dir "$DATA/site")
    if [[ -f "$DATA/filled" && "$(cat "$DATA/filled")" == "$MARKER" ]]; then
        echo "==> reusing $DATA (filled by an earlier run)"
        FILLED=0
    else
        rm -rf "$DATA"
        mkdir -p "$DATA"
        FILLED=1
    fi
fi
if ((FILLED)); then
    echo "==> filling: virgule demo --members $MEMBERS --entries-per-member $PER_MEMBER ($BACKEND)"
    fill_start=$(now_ms)
    "$BIN" "${SITE_ARGS[@]}" demo --members "$MEMBERS" --entries-per-member "$PER_MEMBER"
    echo "    filled $((MEMBERS * PER_MEMBER)) entries in $(seconds_since "$fill_start") s"
    if [[ "$BACKEND" == postgres ]]; then
        # As autovacuum soon would on a live site; the demo's trust ranking rewrote rows.
        psql "$SITE_URL" -X -q -v ON_ERROR_STOP=1 -c 'VACUUM ANALYZE'
        psql "$PG_URL" -X -q -v ON_ERROR_STOP=1 -c "COMMENT ON DATABASE $PG_DB IS '$MARKER'"
    else
        echo "$MARKER" >"$DATA/filled"
    fi
fi
if [[ "$BACKEND" == postgres ]]; then
    echo "    database size: $(psql "$PG_URL" -X -Atc "SELECT pg_size_pretty(pg_database_size('$PG_DB'))")"
else
    echo "    data directory size: $(du -sh "$DATA/site" | cut -f1)"
fi
if [[ "$FILL_ONLY" == 1 ]]; then
    exit 0
fi

echo "==> starting virgule serve"
LOG="$SERVER_LOG"
start_server "$LOG" "${SITE_ARGS[@]}"
middle="$(printf 'demo%04d' $((MEMBERS / 2)))"
check_pages / /recentlog.html "/person/$middle/diary.html" "/person/$middle/diary/$((PER_MEMBER / 2)).html" \
    /article/1.html /recentlog.rss "/api/v1/people/$middle/entries"

# rss_kb: the server's resident memory in KiB (VmRSS), or 0 once it is gone.
rss_kb() {
    awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0
}
mib() {
    awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'
}

echo "==> bearer tokens for $TOKENS ranked members ($TOKENS_PER_ADDRESS per source address, $TOKEN_JOBS at a time)"
TOKEN_FILE="$WORK/tokens"
token_start=$(now_ms)
# The ranked members first (a cheap read each), then the tokens, TOKEN_JOBS at a time: each
# is an Argon2id hash, the slow part.
: >"$WORK/ranked"
ranked=0
index=1
while ((ranked < TOKENS && index < MEMBERS)); do
    name="$(printf 'demo%04d' "$index")"
    index=$((index + 1))
    level="$(curl -s "$BASE/api/v1/people/$name" | sed -n 's/.*"level":"\([^"]*\)".*/\1/p')"
    case "$level" in
        apprentice | journeyer | master)
            echo "$name 127.0.0.$((2 + ranked / TOKENS_PER_ADDRESS))" >>"$WORK/ranked"
            ranked=$((ranked + 1))
            ;;
    esac
done
if ((ranked == 0)); then
    echo "error: no ranked member to write with (is VIRGULE_TRUST_SEEDS=demo0000 in effect?)" >&2
    exit 1
fi
# token NAME ADDRESS: prints "NAME TOKEN", or an error and fails.
token() {
    local answer code token
    answer="$(curl -s --interface "$2" -w '\n%{http_code}' -XPOST "$BASE/api/v1/tokens" \
        -H 'content-type: application/json' \
        -d "{\"name\":\"$1\",\"password\":\"$DEMO_PASSWORD\"}")"
    code="${answer##*$'\n'}"
    token="$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$answer")"
    if [[ "$code" != 201 || -z "$token" ]]; then
        echo "error: POST /api/v1/tokens for $1 from $2 answered $code: ${answer%$'\n'*}" >&2
        return 1
    fi
    echo "$1 $token"
}
export -f token
export BASE DEMO_PASSWORD
if ! xargs -P "$TOKEN_JOBS" -L 1 bash -c 'token "$@"' _ <"$WORK/ranked" >"$TOKEN_FILE"; then
    exit 1
fi
echo "    $(wc -l <"$TOKEN_FILE") tokens in $(seconds_since "$token_start") s"

# metrics_requests: the /metrics request counters, one "route method status count" a line.
metrics_requests() {
    curl -s "$BASE/metrics" | sed -n 's/^[a-z_]*requests_total{\(.*\)} \([0-9.e+]*\)$/\1 \2/p' |
        awk '{
            route = $0; sub(/.*route="/, "", route); sub(/".*/, "", route)
            method = $0; sub(/.*method="/, "", method); sub(/".*/, "", method)
            status = $0; sub(/.*status="/, "", status); sub(/".*/, "", status)
            print route, method, status, $NF
        }'
}
metrics_requests >"$WORK/metrics-before"
# memory_kb: three figures from /metrics, in KiB: what the rendered-page cache holds (its own
# count; it fills up to its budget, page_cache_mib, during the run, and is part of the RSS),
# and the allocator's live bytes and resident bytes (jemalloc's statistics; 0 when absent).
# Live bytes that climb are data (a cache filling, a leak); resident bytes that climb while
# live bytes stay flat are memory the allocator keeps.
memory_kb() {
    curl -s --max-time 5 "$BASE/metrics" | awk '
        $1 == "virgule_page_cache_bytes" {cache = $2}
        $1 == "virgule_allocator_allocated_bytes" {live = $2}
        $1 == "virgule_allocator_resident_bytes" {held = $2}
        END {printf "%d %d %d\n", cache / 1024, live / 1024, held / 1024}'
}

echo "==> sampling VmRSS of the server (pid $SERVER_PID) every 5 s"
RSS_LOG="$WORK/rss"
(
    start=$(date +%s)
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        echo "$(($(date +%s) - start)) $(rss_kb) $(memory_kb)"
        sleep 5
    done
) >"$RSS_LOG" &
SAMPLER_PID=$!

REPORT="$WORK/report"
echo "==> wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT --latency -s bench/load.lua $BASE"
LOAD_MEMBERS="$MEMBERS" LOAD_ENTRIES="$PER_MEMBER" LOAD_ARTICLES="$ARTICLES" \
    LOAD_TOKENS="$TOKEN_FILE" LOAD_REPORT="$REPORT" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency \
    -s bench/load.lua "$BASE" | tee "$WORK/wrk.out"
end_rss="$(rss_kb)"
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=""
echo "$(awk 'END {print $1 + 5}' "$RSS_LOG") $end_rss $(memory_kb)" >>"$RSS_LOG"
metrics_requests >"$WORK/metrics-after"
stop_server

# report KEY: a figure from load.lua's report (0 if absent).
report() {
    awk -v k="$1" '$1 == k {print $2; found = 1} END {if (!found) print 0}' "$REPORT"
}
requests="$(report requests)"
duration_us="$(report duration_us)"
rps="$(awk -v n="$requests" -v us="$duration_us" 'BEGIN { printf "%.1f", (us > 0 ? n * 1e6 / us : 0) }')"
s2="$(report status_2xx)"
s3="$(report status_3xx)"
s4="$(report status_4xx)"
s5="$(report status_5xx)"
socket_errors="$(report socket_errors)"
writes_sent=$(($(report sent_write_entry) + $(report sent_write_reply) + $(report sent_write_cert) + $(report sent_write_rating)))

# RSS: before the load (first sample), after warm-up (the first sample at or past WARMUP s),
# at the end (after wrk returned) and the maximum; and the judged medians.
rss_before="$(awk 'NR == 1 {print $2}' "$RSS_LOG")"
rss_warm="$(awk -v w="$WARMUP" '$1 >= w {print $2; exit}' "$RSS_LOG")"
rss_warm="${rss_warm:-$rss_before}"
rss_max="$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$RSS_LOG")"
# window_median FROM TO [COLUMN]: the median sample taken from FROM s up to TO s, of RSS or
# of COLUMN of the log (4: the allocator's live bytes, 5: its resident bytes).
window_median() {
    awk -v from="$1" -v to="$2" -v c="${3:-2}" '$1 >= from && $1 < to {print $c}' "$RSS_LOG" | sort -n |
        awk '{v[NR] = $1} END {print (NR ? v[int((NR + 1) / 2)] : 0)}'
}
last_s="$(awk 'END {print $1}' "$RSS_LOG")"
rss_warm_median="$(window_median "$WARMUP" $((WARMUP + 60)))"
rss_last_median="$(window_median $((last_s - 60)) $((last_s + 1)))"
allowed_kb="$(awk -v w="$rss_warm_median" -v p="$RSS_TOLERANCE_PCT" -v m="$RSS_TOLERANCE_MIB" \
    'BEGIN { a = w * p / 100; b = m * 1024; printf "%d", (a > b ? a : b) }')"
growth_kb=$((rss_last_median - rss_warm_median))

errors="$(grep -cE 'ERROR|panick' "$LOG" || true)"
warnings="$(grep -c 'WARN' "$LOG" || true)"

echo
echo "Load test: $BACKEND, $MEMBERS members x $PER_MEMBER entries, wrk -t$THREADS -c$CONNECTIONS" \
    "-d$DURATION on $(nproc) cores; $("$BIN" --version 2>/dev/null || echo virgule)"
echo "  requests          $requests in $(awk -v us="$duration_us" 'BEGIN { printf "%.1f", us / 1e6 }') s: $rps req/s" \
    "(p50 $(awk -v u="$(report latency_p50_us)" 'BEGIN { printf "%.1f", u / 1000 }') ms," \
    "p99 $(awk -v u="$(report latency_p99_us)" 'BEGIN { printf "%.1f", u / 1000 }') ms," \
    "max $(awk -v u="$(report latency_max_us)" 'BEGIN { printf "%.1f", u / 1000 }') ms)"
echo "  writes sent       $writes_sent ($(report created) answered 201 Created)"
echo "  status classes    2xx $s2, 3xx $s3, 4xx $s4, 5xx $s5; socket errors $socket_errors"
if grep -q '^error_' "$REPORT"; then
    echo "  4xx/5xx by status and code:"
    sed -n 's/^error_\([0-9]*\)_\([^ ]*\) \([0-9]*\)$/    \1 \2: \3/p' "$REPORT"
    echo "  non-2xx by route (from /metrics, this run only):"
    LC_ALL=C join -a 2 -e 0 -o 0,1.2,2.2 \
        <(awk '{print $1 "|" $2 "|" $3, $4}' "$WORK/metrics-before" | LC_ALL=C sort) \
        <(awk '{print $1 "|" $2 "|" $3, $4}' "$WORK/metrics-after" | LC_ALL=C sort) |
        awk '{ split($1, k, "|"); n = $3 - $2; if (k[3] !~ /^[23]/ && n > 0) printf "    %-6s %-48s %s: %d\n", k[2], k[1], k[3], n }'
fi
echo "  RSS (VmRSS)       before $(mib "$rss_before") MiB, after warm-up (${WARMUP} s) $(mib "$rss_warm") MiB," \
    "end $(mib "$end_rss") MiB, max $(mib "$rss_max") MiB"
echo "  RSS medians       the minute after warm-up $(mib "$rss_warm_median") MiB, the last minute" \
    "$(mib "$rss_last_median") MiB: $(mib "$growth_kb") MiB more (allowed $(mib "$allowed_kb") MiB)"
if awk '$4 > 0 {found = 1} END {exit !found}' "$RSS_LOG"; then
    echo "  allocator medians live $(mib "$(window_median "$WARMUP" $((WARMUP + 60)) 4)") MiB ->" \
        "$(mib "$(window_median $((last_s - 60)) $((last_s + 1)) 4)") MiB, resident" \
        "$(mib "$(window_median "$WARMUP" $((WARMUP + 60)) 5)") MiB ->" \
        "$(mib "$(window_median $((last_s - 60)) $((last_s + 1)) 5)") MiB" \
        "(the minute after warm-up -> the last minute; jemalloc's statistics)"
    echo "  allocator samples (s live/resident MiB): $(awk '{printf "%s:%.0f/%.0f ", $1, $4 / 1024, $5 / 1024}' "$RSS_LOG")"
fi
echo "  page cache held   after warm-up $(mib "$(awk -v w="$WARMUP" '$1 >= w {print $3; exit}' "$RSS_LOG")") MiB," \
    "end $(mib "$(awk 'END {print $3}' "$RSS_LOG")") MiB (its budget: page_cache_mib)"
echo "  RSS samples (s KiB): $(awk '{printf "%s:%s ", $1, $2}' "$RSS_LOG")"
echo "  server log        $LOG: $(wc -l <"$LOG") lines; $errors ERROR/panic, $warnings WARN"
if ((errors + warnings > 0)); then
    # Each kind once, with its count: the line without its timestamp, numbers as N, a slow
    # statement by its summary (sqlx logs the whole statement).
    grep -E 'ERROR|WARN|panick' "$LOG" |
        sed -E 's/^[0-9T:.-]+Z +//; s/(slow statement).*(summary="[^"]*").*/\1 \2/; s/[0-9]+(\.[0-9]+)?/N/g' |
        cut -c1-300 | sort | uniq -c | sort -rn | awk 'NR <= 20' | sed 's/^/    /'
fi

failed=0
if ((s5 > 0)); then
    echo "FAIL: $s5 answers were 5xx"
    failed=1
fi
if ((socket_errors > 0)); then
    echo "FAIL: $socket_errors socket errors (connect, read, write or timeout past $WRK_TIMEOUT)"
    failed=1
fi
if ((errors > 0)); then
    echo "FAIL: $errors ERROR or panic lines in the server's log"
    failed=1
fi
if ((growth_kb > allowed_kb)); then
    echo "FAIL: RSS (a minute's median) grew by $(mib "$growth_kb") MiB after warm-up (allowed $(mib "$allowed_kb") MiB)"
    failed=1
fi
if ((requests == 0)); then
    echo "FAIL: no request was answered"
    failed=1
fi
if ((failed)); then
    exit 1
fi
echo "PASS: no 5xx, no socket error, no ERROR or panic in the log, RSS flat after warm-up"
