# shellcheck shell=bash
# Functions shared by the page-serving benchmarks (diary-pages.sh, scale.sh): source it, do
# not run it. Each function reports through the globals named in its comment, so that the
# calling script keeps its own `set -euo pipefail` and its own cleanup trap.
#
# The caller sets CARGO_TARGET_DIR, THREADS and CONNECTIONS before calling these, and calls
# stop_server from its EXIT trap so that an interrupted run leaves no server behind.

# ensure_wrk: installs wrk with apt when it is missing.
ensure_wrk() {
    if ! command -v wrk >/dev/null 2>&1; then
        echo "==> installing wrk"
        (apt-get update && apt-get install -y wrk) >/dev/null
    fi
}

# build_release: builds the release binary of `virgule`; sets BIN to its path.
build_release() {
    echo "==> building the release binary"
    cargo build --release --locked -p virgule
    BIN="$CARGO_TARGET_DIR/release/virgule"
}

# now_ms: milliseconds since the epoch, for timing a step.
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# seconds_since START_MS: the time since START_MS (from now_ms) as seconds with one decimal.
seconds_since() {
    local ms=$(($(now_ms) - $1))
    echo "$((ms / 1000)).$(((ms % 1000) / 100))"
}

# start_server LOG ARGS...: starts `$BIN ARGS... serve --listen 127.0.0.1:0` with its log in
# LOG and waits (up to 60 s) until it announces its address; sets SERVER_PID and BASE
# (http://127.0.0.1:PORT). Exits with the server's log if it dies or stays silent.
start_server() {
    local log="$1" addr=""
    shift
    RUST_LOG="${RUST_LOG:-info}" "$BIN" "$@" serve --listen 127.0.0.1:0 2>"$log" &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        addr="$(sed -n 's/.*listening on http:\/\/\([^ ]*\).*/\1/p' "$log" | head -n 1)"
        [[ -n "$addr" ]] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            echo "error: the server exited; its log:" >&2
            cat "$log" >&2
            SERVER_PID=""
            exit 1
        fi
        sleep 0.1
    done
    if [[ -z "$addr" ]]; then
        echo "error: the server did not announce its address within 60 s; its log:" >&2
        cat "$log" >&2
        exit 1
    fi
    BASE="http://$addr"
    echo "    serving on $BASE"
}

# stop_server: stops the server started by start_server with SIGTERM, if it still runs, and
# says whether it exited cleanly. Safe to call twice (and from an EXIT trap).
stop_server() {
    if [[ -n "${SERVER_PID:-}" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        local status=0
        wait "$SERVER_PID" 2>/dev/null || status=$?
        if ((status == 0)); then
            echo "    server stopped cleanly"
        else
            echo "    the server exited with status $status"
        fi
    fi
    SERVER_PID=""
}

# check_pages PATH...: fetches each PATH from $BASE once and exits unless every one answers
# 200, so that a benchmark never measures error pages; shows each page's size, so that an
# empty page is seen too.
check_pages() {
    local path code bytes failed=0
    for path in "$@"; do
        read -r code bytes < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$BASE$path")
        echo "    $path -> HTTP $code, $bytes bytes"
        [[ "$code" == 200 ]] || failed=1
    done
    if ((failed)); then
        echo "error: a page to measure does not answer 200 (see above)" >&2
        exit 1
    fi
}

# warm_up DURATION PATH...: runs wrk for DURATION on each PATH, discarding the figures, so
# that caches and connection pools are warm before measuring.
warm_up() {
    local duration="$1" path
    shift
    for path in "$@"; do
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" "$BASE$path" >/dev/null
    done
}

# measure DURATION PATH: runs `wrk --latency` for DURATION on $BASE$PATH (with the request
# headers in the array WRK_HEADERS, e.g. (-H "Accept-Encoding: gzip"), if set), shows its
# output and sets WRK_RPS, WRK_P50, WRK_P99 (as wrk prints them, e.g. 1.23ms), WRK_NON2XX
# and WRK_ERRORS ("?" for a figure wrk did not print).
# shellcheck disable=SC2034 # the WRK_ globals are this function's results, read by the caller
measure() {
    local duration="$1" path="$2" out
    local -a headers=("${WRK_HEADERS[@]+"${WRK_HEADERS[@]}"}")
    echo "==> wrk -t$THREADS -c$CONNECTIONS -d$duration --latency ${headers[*]} $BASE$path"
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency "${headers[@]}" "$BASE$path")"
    echo "$out"
    WRK_RPS="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    WRK_P50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    WRK_P99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    WRK_NON2XX="$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<<"$out")"
    WRK_ERRORS="$(awk '/Socket errors/ {print}' <<<"$out" | sed 's/^ *Socket errors: *//')"
    WRK_RPS="${WRK_RPS:-?}"
    WRK_P50="${WRK_P50:-?}"
    WRK_P99="${WRK_P99:-?}"
    WRK_NON2XX="${WRK_NON2XX:-0}"
}

# latency_ms LATENCY: a latency as wrk prints it (850.00us, 1.23ms, 1.05s, 2.00m) in
# milliseconds, or "?" if it is not one.
latency_ms() {
    awk -v v="$1" 'BEGIN {
        if (match(v, /^[0-9.]+/) == 0) { print "?"; exit }
        n = substr(v, 1, RLENGTH); unit = substr(v, RLENGTH + 1)
        if (unit == "us") f = 0.001; else if (unit == "ms") f = 1
        else if (unit == "s") f = 1000; else if (unit == "m") f = 60000
        else { print "?"; exit }
        printf "%.3f\n", n * f
    }'
}
