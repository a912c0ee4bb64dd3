"""The Python reference stack for bench/reader.sh: every feed in a directory read by
feedparser (which sanitizes HTML itself) and each entry's content cleaned again by bleach, as
a Python planet would; prints entries per second for each of ROUNDS rounds and their median.

    python feedparser_reference.py DIR ROUNDS
"""
import os
import statistics
import sys
import time

import bleach
import feedparser


def main():
    directory, rounds = sys.argv[1], int(sys.argv[2])
    bodies = []
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            bodies.append(f.read())
    tags = set(bleach.sanitizer.ALLOWED_TAGS) | {"p", "pre", "h2", "h3", "img", "ul", "li", "blockquote"}
    rates = []
    for round_number in range(1, rounds + 1):
        started = time.perf_counter()
        entries = 0
        for body in bodies:
            feed = feedparser.parse(body)
            if feed.bozo and not feed.entries:
                raise SystemExit(f"feedparser could not read a feed: {feed.bozo_exception}")
            for entry in feed.entries:
                html = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
                bleach.clean(html, tags=tags, strip=True)
                entries += 1
        rate = entries / (time.perf_counter() - started)
        rates.append(rate)
        print(f"round {round_number}: feedparser + bleach {rate:.0f} entries/s ({entries} entries)")
    print(f"RESULT python_parse_sanitize_per_s={statistics.median(rates):.1f}")


main()
