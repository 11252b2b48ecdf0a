"""Feed parsers on the shared corpus: items per second.

    pip install -e '.[bench]' && python bench/parsers.py [--corpus DIR] [--feedparser-feeds 40]

Measures fastfeedparser with its native extractor, rsspress.parse.parse_feed
(fastfeedparser's Python path, which keeps each date's own text, plus our
encoding and entity repairs) and feedparser (on a sample: it is slow).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import fastfeedparser.main as ffp_main

from rsspress.parse import parse_feed


def rate(label: str, blobs: list[bytes], parse: object) -> None:
    assert callable(parse)
    started = time.perf_counter()
    items = sum(parse(blob) for blob in blobs)
    elapsed = time.perf_counter() - started
    print(
        f"{label:<44} {len(blobs):>5} feeds {items:>7} items {elapsed:7.2f}s"
        f" {items / elapsed:>9.0f} items/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/rsspress-bench/corpus-M"))
    parser.add_argument("--feedparser-feeds", type=int, default=40)
    args = parser.parse_args()
    blobs = [p.read_bytes() for p in sorted((args.corpus / "feeds").iterdir())]

    rate(
        "rsspress.parse (fastfeedparser, Python path)",
        blobs,
        lambda b: len(parse_feed(b, "http://x/").items),
    )
    saved = ffp_main._core
    try:
        from fastfeedparser import _core  # type: ignore[attr-defined]

        ffp_main._core = _core
        rate("fastfeedparser, native extractor", blobs, lambda b: len(ffp_main.parse(b)["entries"]))
    finally:
        ffp_main._core = saved
    import feedparser  # type: ignore[import-untyped]

    sample = blobs[: args.feedparser_feeds]
    rate("feedparser (sample)", sample, lambda b: len(feedparser.parse(b)["entries"]))


if __name__ == "__main__":
    main()
