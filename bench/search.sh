#!/usr/bin/env bash
# Search benchmark: full-text search over a large site, on each backend.
#
#   bash bench/search.sh
#
# Runs the store's `search_bench` example (release build) once per backend: it loads ENTRIES
# synthetic diary entries (80 words each, drawn from a 50,000-word Zipf vocabulary, so that
# some words are in half the entries and most in very few), then runs each kind of search
# (a rare, a medium and a frequent word, two words, a phrase, a prefix, an exclusion, one
# author, one year, one kind) from CONCURRENCY tasks for SECONDS and prints searches per
# second, p50 and p99, and the same over the whole mix. It prints figures and judges nothing.
# The target it is read against (docs/design.md "Search"): p99 under 50 ms on SQLite at
# c=8 over a million entries.
#
# Knobs (environment): BACKENDS ("sqlite postgres"), ENTRIES (1000000), SECONDS (10),
# CONCURRENCY (8), PG_URL (postgres://postgres@127.0.0.1:5432/postgres; each run creates and
# drops its own database there), CARGO_TARGET_DIR (/var/tmp/virgule-target). A quick check
# that it works, in about a minute: ENTRIES=20000 SECONDS=1 bash bench/search.sh
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/virgule-target}"
read -r -a BACKEND_LIST <<<"${BACKENDS:-sqlite postgres}"
ENTRIES="${ENTRIES:-1000000}"
SECONDS_EACH="${SECONDS:-10}"
CONCURRENCY="${CONCURRENCY:-8}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

echo "==> building the search benchmark (release)"
cargo build --release --locked -p virgule-store --example search_bench
BENCH="$CARGO_TARGET_DIR/release/examples/search_bench"

for backend in "${BACKEND_LIST[@]}"; do
    echo
    echo "==> $backend: $ENTRIES entries, $CONCURRENCY tasks, ${SECONDS_EACH}s per kind of search"
    case "$backend" in
        sqlite) env -u VIRGULE_TEST_DATABASE_URL "$BENCH" "$ENTRIES" "$SECONDS_EACH" "$CONCURRENCY" ;;
        postgres) VIRGULE_TEST_DATABASE_URL="$PG_URL" "$BENCH" "$ENTRIES" "$SECONDS_EACH" "$CONCURRENCY" ;;
        *)
            echo "error: unknown backend '$backend' (the backends are sqlite and postgres)" >&2
            exit 2
            ;;
    esac
done
