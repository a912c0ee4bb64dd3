#!/usr/bin/env bash
# Syndication benchmarks: release builds of the two examples of crates/virgule-syndication,
# each run RUNS times, every run printed, then the median of each figure. Prints figures;
# judges nothing (the issue's targets are named beside them).
#
#   ingest_bench  1,000 feeds x 20 entries of generated WordPress-like 3-8 KB HTML, served
#                 in-process on 127.0.0.1, fetched, parsed, sanitized and stored by
#                 Syndicator::run_once; also parse + normalize alone on one thread.
#   fetch_bench   10,000 small feeds over 127.0.0.1-127.0.0.100 from an origin in a child
#                 process; round 1 ingests them all, round 2 (timed: the target) finds 5%
#                 changed and the rest answering 304, driven by Syndicator::run.
#
# Knobs (environment): RUNS (3), DATABASE_URL (unset: a fresh SQLite file per run; a
# postgres:// URL: a fresh database created on that server per run, dropped after),
# INGEST_ARGS and FETCH_ARGS (extra flags, e.g. FETCH_ARGS="--driver once" or
# INGEST_ARGS="--breakdown"; see --help of each), CARGO_TARGET_DIR (/var/tmp/virgule-target).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/virgule-target}"
RUNS="${RUNS:-3}"
INGEST_ARGS="${INGEST_ARGS:-}"
FETCH_ARGS="${FETCH_ARGS:-}"
if [[ -n "${DATABASE_URL:-}" ]]; then
    export VIRGULE_BENCH_DATABASE_URL="$DATABASE_URL"
    BACKEND="PostgreSQL ($DATABASE_URL)"
else
    unset VIRGULE_BENCH_DATABASE_URL
    BACKEND="SQLite"
fi

echo "==> building the release examples"
cargo build --release --locked -p virgule-syndication --example ingest_bench --example fetch_bench
BIN_DIR="$CARGO_TARGET_DIR/release/examples"

LOGS="$(mktemp -d -t virgule-syndication-bench.XXXXXX)"
trap 'rm -rf "$LOGS"' EXIT

# field KEY FILE: the value of KEY=... on the RESULT line of FILE.
field() {
    sed -n 's/^RESULT .*\b'"$1"'=\([^ ]*\).*/\1/p' "$2"
}

# median: the median of the numbers on stdin, one per line.
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "?"; exit }
        if (NR % 2) { print v[(NR + 1) / 2] } else { printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }
    }'
}

# bench NAME RUN ARGS...: one run of example NAME, its output shown and kept in $LOGS.
bench() {
    local name="$1" run="$2"
    shift 2
    echo "==> $name run $run/$RUNS: $BIN_DIR/$name $*"
    "$BIN_DIR/$name" "$@" 2>&1 | tee "$LOGS/$name.$run.log"
    if ! grep -q '^RESULT ' "$LOGS/$name.$run.log"; then
        echo "error: $name run $run printed no RESULT line" >&2
        exit 1
    fi
}

# table NAME KEY...: one row per run and the median row, of the RESULT fields KEY...
table() {
    local name="$1"
    shift
    printf '%-8s' "run"
    printf ' %22s' "$@"
    echo
    for run in $(seq 1 "$RUNS"); do
        printf '%-8s' "$run"
        for key in "$@"; do
            printf ' %22s' "$(field "$key" "$LOGS/$name.$run.log")"
        done
        echo
    done
    printf '%-8s' "median"
    for key in "$@"; do
        printf ' %22s' "$(for run in $(seq 1 "$RUNS"); do field "$key" "$LOGS/$name.$run.log"; done | median)"
    done
    echo
}

for run in $(seq 1 "$RUNS"); do
    # shellcheck disable=SC2086 # the extra flags are meant to split into words
    bench ingest_bench "$run" $INGEST_ARGS
done
for run in $(seq 1 "$RUNS"); do
    # shellcheck disable=SC2086
    bench fetch_bench "$run" $FETCH_ARGS
done

echo
echo "Summary: $RUNS runs each on $(nproc) cores, $BACKEND"
echo
echo "ingest_bench $INGEST_ARGS (target: >= 2,000 entries/s parsed + sanitized + stored)"
table ingest_bench entries_stored wall_s entries_per_s pure_entries_per_s parse_entries_per_s \
    normalize_entries_per_s peak_rss_mib
echo
echo "fetch_bench $FETCH_ARGS (target: round 2 of 10,000 feeds in < 60 s, < 150 MB resident)"
table fetch_bench round1_s round2_s round2_feeds_per_s round2_304 round2_200 \
    peak_rss_round2_mib peak_rss_mib rss_end_mib
