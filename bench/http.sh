#!/usr/bin/env bash
# Pages and feeds against a ceiling, in one run: a release build of `virgule` over a demo site
# (SQLite, `virgule demo`, trust seeded from demo0000), and nginx (2 workers, sendfile)
# serving the very same bytes as static files. wrk measures, alternating the two:
#   - the diary page /person/demo0000/diary.html and the member Atom feed
#     /person/demo0000/atom.xml, at CONNECTIONS (32): Virgule, nginx, and the ratio;
#   - the recent log at BIG_CONNECTIONS (256): req/s, p99 and errors;
#   - the diary page for a client that accepts gzip (a compressed copy kept in memory);
#   - the dynamic path: a signed-in member reading the diary page, and an anonymous reader
#     of a server without the page cache (VIRGULE_PAGE_CACHE_MIB=0);
#   - the same on PostgreSQL (PG_URL; a database created and dropped), unless PG=0.
# Prints figures and ratios; judges nothing.
#
# Knobs (environment): DURATION (10s), WARMUP (2s), THREADS (2), CONNECTIONS (32),
# BIG_CONNECTIONS (256), PG (1), PG_URL (postgres://postgres@127.0.0.1:5432/postgres),
# BENCH_BIN (a virgule binary to measure instead of building this tree's, e.g. an older
# build for before/after figures), CARGO_TARGET_DIR (/var/tmp/virgule-target).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/virgule-target}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
BIG_CONNECTIONS="${BIG_CONNECTIONS:-256}"
PG="${PG:-1}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
DIARY=/person/demo0000/diary.html
ATOM=/person/demo0000/atom.xml
RECENT=/recentlog.html

# shellcheck source=bench/lib.sh
source bench/lib.sh

ensure_wrk
if ! command -v nginx >/dev/null 2>&1; then
    echo "==> installing nginx"
    (apt-get update && apt-get install -y nginx-light) >/dev/null
fi
if [[ -n "${BENCH_BIN:-}" ]]; then
    BIN="$BENCH_BIN"
    echo "==> measuring $BIN"
else
    build_release
fi

DATA="$(mktemp -d -t virgule-http-bench.XXXXXX)"
SERVER_PID=""
NGINX_PID=""
PG_DB=""
cleanup() {
    stop_server
    if [[ -n "$NGINX_PID" ]]; then
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    if [[ -n "$PG_DB" ]]; then
        psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    fi
    rm -rf "$DATA"
}
trap cleanup EXIT

export VIRGULE_TRUST_SEEDS=demo0000
echo "==> virgule demo (data in $DATA)"
"$BIN" --data-dir "$DATA/site" demo >/dev/null

echo "==> starting virgule serve"
start_server "$DATA/serve.log" --data-dir "$DATA/site"
check_pages "$DIARY" "$ATOM" "$RECENT"

echo "==> the same bytes as static files for nginx"
mkdir -p "$DATA/www/person/demo0000" "$DATA/nginx"
curl -s "$BASE$DIARY" -o "$DATA/www$DIARY"
curl -s "$BASE$ATOM" -o "$DATA/www$ATOM"
# nginx's workers run as an unprivileged user; mktemp made the directory private.
chmod 755 "$DATA"
chmod -R a+rX "$DATA/www"
cat >"$DATA/nginx/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $DATA/nginx/nginx.pid;
error_log $DATA/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types { text/html html; application/atom+xml xml; }
    client_body_temp_path $DATA/nginx;
    proxy_temp_path $DATA/nginx;
    fastcgi_temp_path $DATA/nginx;
    uwsgi_temp_path $DATA/nginx;
    scgi_temp_path $DATA/nginx;
    server {
        listen 127.0.0.1:0;
        root $DATA/www;
    }
}
EOF
# nginx cannot listen on port 0: pick a free port.
NGINX_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$NGINX_PORT;/" "$DATA/nginx/nginx.conf"
nginx -c "$DATA/nginx/nginx.conf" -p "$DATA/nginx" &
NGINX_PID=$!
NGINX="http://127.0.0.1:$NGINX_PORT"
for _ in $(seq 1 50); do
    curl -sf -o /dev/null "$NGINX$DIARY" && break
    sleep 0.1
done
for path in "$DIARY" "$ATOM"; do
    if ! cmp -s <(curl -s "$BASE$path") <(curl -s "$NGINX$path"); then
        echo "error: nginx does not serve the same bytes for $path" >&2
        exit 1
    fi
done

declare -a ROWS
# row LABEL: appends the last measure's figures to the summary.
row() {
    ROWS+=("$(printf '%-44s %10s %9s %9s %8s  %s' "$1" "$WRK_RPS" "$WRK_P50" "$WRK_P99" "$WRK_NON2XX" "${WRK_ERRORS:-}")")
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'
}

declare -a RATIOS
for path in "$DIARY" "$ATOM"; do
    SAVED_BASE="$BASE"
    BASE="$NGINX" warm_up "$WARMUP" "$path"
    warm_up "$WARMUP" "$path"
    measure "$DURATION" "$path"
    virgule_rps="$WRK_RPS"
    row "virgule $path"
    BASE="$NGINX"
    measure "$DURATION" "$path"
    nginx_rps="$WRK_RPS"
    row "nginx   $path"
    BASE="$SAVED_BASE"
    RATIOS+=("$(printf '%-32s virgule/nginx = %s' "$path" "$(ratio "$virgule_rps" "$nginx_rps")")")
done

echo "==> the recent log at $BIG_CONNECTIONS connections"
SAVED_CONNECTIONS="$CONNECTIONS"
CONNECTIONS="$BIG_CONNECTIONS"
warm_up "$WARMUP" "$RECENT"
measure "$DURATION" "$RECENT"
row "virgule $RECENT (c=$BIG_CONNECTIONS)"
CONNECTIONS="$SAVED_CONNECTIONS"

echo "==> the diary page for a client that accepts gzip (the compressed copy kept in memory)"
WRK_HEADERS=(-H "Accept-Encoding: gzip")
warm_up "$WARMUP" "$DIARY"
measure "$DURATION" "$DIARY"
row "virgule $DIARY (gzip)"
WRK_HEADERS=()

# sign_in: registers (once per database) and signs in the bench reader through the login
# form; sets WRK_HEADERS to its session cookie.
sign_in() {
    curl -s -XPOST "$BASE/api/v1/accounts" -H 'content-type: application/json' \
        -d '{"name":"benchreader","password":"bench reader password"}' >/dev/null
    local jar="$DATA/cookies" token session
    rm -f "$jar"
    curl -s -c "$jar" -b "$jar" "$BASE/acct/login" -o "$DATA/login.html"
    token="$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$DATA/login.html" | head -n 1)"
    curl -s -c "$jar" -b "$jar" -o /dev/null -XPOST "$BASE/acct/login" \
        --data-urlencode "csrf=$token" --data-urlencode "name=benchreader" \
        --data-urlencode "password=bench reader password"
    session="$(awk '$6 == "virgule_session" {print $7}' "$jar")"
    if [[ -z "$session" ]]; then
        echo "error: could not sign in the bench reader" >&2
        exit 1
    fi
    WRK_HEADERS=(-H "Cookie: virgule_session=$session")
}

# dynamic LABEL ARGS...: the paths no page cache serves, on the site ARGS name: a signed-in
# reader's diary page, then (restarted without the page cache) an anonymous one.
dynamic() {
    local label="$1"
    shift
    echo "==> a signed-in member reading the diary page ($label)"
    sign_in
    warm_up "$WARMUP" "$DIARY"
    measure "$DURATION" "$DIARY"
    row "virgule $DIARY (signed in, $label)"
    WRK_HEADERS=()
    stop_server
    echo "==> the diary page without the page cache ($label)"
    VIRGULE_PAGE_CACHE_MIB=0 start_server "$DATA/serve-uncached.log" "$@"
    warm_up "$WARMUP" "$DIARY"
    measure "$DURATION" "$DIARY"
    row "virgule $DIARY (no page cache, $label)"
    stop_server
}
dynamic SQLite --data-dir "$DATA/site"

if [[ "$PG" == 1 ]]; then
    PG_DB="virgule_http_bench_$$"
    psql -q "$PG_URL" -c "CREATE DATABASE $PG_DB" >/dev/null
    PG_SITE="${PG_URL%/*}/$PG_DB"
    echo "==> virgule demo on PostgreSQL ($PG_SITE)"
    "$BIN" --database-url "$PG_SITE" demo >/dev/null
    start_server "$DATA/serve-pg.log" --database-url "$PG_SITE"
    check_pages "$DIARY"
    warm_up "$WARMUP" "$DIARY"
    measure "$DURATION" "$DIARY"
    row "virgule $DIARY (PostgreSQL)"
    dynamic PostgreSQL --database-url "$PG_SITE"
fi

echo
echo "Summary: wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores; $("$BIN" --version 2>/dev/null || echo virgule)"
printf '%-44s %10s %9s %9s %8s  %s\n' "what" "req/s" "p50" "p99" "non-2xx" "socket errors"
for line in "${ROWS[@]}"; do
    echo "$line"
done
for line in "${RATIOS[@]}"; do
    echo "$line"
done
