#!/usr/bin/env bash
# WordPress import benchmark: `virgule import wxr` of a synthetic export, on each backend.
#
#   bash bench/import.sh
#
# Writes a WXR 1.2 export of POSTS posts (virgule-import's `wxr_gen`: 2–4 KB of HTML each,
# tags, categories, 0–3 comments) and imports it into a fresh site's member with the release
# binary, under /usr/bin/time: it prints the wall time (the check pass and the import pass),
# posts per second and the peak memory (maximum resident set). Run with two sizes (POSTS=10000,
# then POSTS=50000) to see that memory stays flat: the export is streamed, never held. Then
# imports the same file again (every post updated) and prints that too. It prints figures
# and judges nothing; the target it is read against (issue 14): at least 2,000 posts/s.
#
# Knobs (environment): BACKENDS ("sqlite postgres"), POSTS (10000), PG_URL
# (postgres://postgres@127.0.0.1:5432/postgres; a database is created and dropped there),
# CARGO_TARGET_DIR (/var/tmp/virgule-target).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/virgule-target}"
read -r -a BACKEND_LIST <<<"${BACKENDS:-sqlite postgres}"
POSTS="${POSTS:-10000}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

echo "==> building (release)"
cargo build --release --locked -p virgule
cargo build --release --locked -p virgule-import --example wxr_gen
BIN="$CARGO_TARGET_DIR/release/virgule"
WORK="$(mktemp -d -t virgule-import.XXXXXX)"
DATABASE=""
cleanup() {
    if [[ -n "$DATABASE" ]]; then
        psql "$PG_URL" -X -q -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$CARGO_TARGET_DIR/release/examples/wxr_gen" --posts "$POSTS" >"$WORK/export.xml"
echo "==> export: $POSTS posts, $(du -h "$WORK/export.xml" | cut -f1)"

# timed LABEL ARGS...: runs `$BIN ARGS...` under /usr/bin/time; prints seconds, posts/s, peak MB.
timed() {
    local label="$1"
    shift
    /usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" "$@" >"$WORK/out" 2>"$WORK/err" || {
        cat "$WORK/err" >&2
        exit 1
    }
    read -r seconds kilobytes <"$WORK/time"
    awk -v l="$label" -v s="$seconds" -v k="$kilobytes" -v n="$POSTS" \
        'BEGIN { printf "%-34s %8.2f s %10.0f posts/s %8.1f MB peak\n", l, s, (s > 0 ? n / s : 0), k / 1024 }'
    tail -n 2 "$WORK/out" | sed 's/^/    /'
}

for backend in "${BACKEND_LIST[@]}"; do
    args=(--data-dir "$WORK/$backend")
    if [[ "$backend" == postgres ]]; then
        DATABASE="virgule_import_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
        psql "$PG_URL" -X -q -c "CREATE DATABASE $DATABASE"
        base="${PG_URL%/*}"
        args+=(--database-url "$base/$DATABASE")
    fi
    # One member to import into (the demo's first, with no entries).
    RUST_LOG=warn "$BIN" "${args[@]}" demo --members 1 --entries-per-member 0 >/dev/null
    RUST_LOG=warn timed "$backend: first import" "${args[@]}" import wxr "$WORK/export.xml" --user demo0000
    RUST_LOG=warn timed "$backend: same export again" "${args[@]}" import wxr "$WORK/export.xml" --user demo0000
    if [[ -n "$DATABASE" ]]; then
        psql "$PG_URL" -X -q -c "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)"
        DATABASE=""
    fi
done
