#!/usr/bin/env bash
# The feed reader side by side with its peers, in one run on the same corpus (the ingest
# benchmark's generated WordPress-like feeds): feed-rs (the parser before issue 12) and
# Virgule's reader, parse alone and parse + normalize + sanitize, from
# crates/virgule-syndication/examples/parse_bench.rs; then Python's feedparser + bleach on
# the same files. Prints every round, the medians and the ratios; judges nothing.
#
# Knobs (environment): FEEDS (100), ROUNDS (5), PY_ROUNDS (3), CARGO_TARGET_DIR
# (/var/tmp/virgule-target). Python packages go into a virtualenv under CARGO_TARGET_DIR.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/virgule-target}"
FEEDS="${FEEDS:-100}"
ROUNDS="${ROUNDS:-5}"
PY_ROUNDS="${PY_ROUNDS:-3}"
VENV="$CARGO_TARGET_DIR/bench-python"

echo "==> building the release example"
cargo build --release --locked -p virgule-syndication --example parse_bench

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "==> installing feedparser and bleach into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet 'feedparser==6.*' 'bleach==6.*'
fi

CORPUS="$(mktemp -d -t virgule-reader-bench.XXXXXX)"
trap 'rm -rf "$CORPUS"' EXIT

echo "==> Rust: feed-rs and Virgule's reader ($FEEDS feeds x 20 entries, $ROUNDS rounds)"
"$CARGO_TARGET_DIR/release/examples/parse_bench" --feeds "$FEEDS" --rounds "$ROUNDS" --dump "$CORPUS" \
    | tee "$CORPUS.rust.log"
echo "==> Python: feedparser + bleach on the same files ($PY_ROUNDS rounds)"
"$VENV/bin/python" bench/feedparser_reference.py "$CORPUS" "$PY_ROUNDS" | tee "$CORPUS.py.log"

field() {
    sed -n 's/^RESULT .*\b'"$1"'=\([^ ]*\).*/\1/p' "$2"
}
rust_full="$(field virgule_parse_sanitize_per_s "$CORPUS.rust.log")"
python="$(field python_parse_sanitize_per_s "$CORPUS.py.log")"
rm -f "$CORPUS.rust.log" "$CORPUS.py.log"
echo
echo "Virgule parse + sanitize: $rust_full entries/s; feedparser + bleach: $python entries/s;" \
    "ratio $(awk -v a="$rust_full" -v b="$python" 'BEGIN { printf "%.1f", a / b }')x (issue 12 aims for 30x)"
