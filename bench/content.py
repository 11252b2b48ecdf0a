"""The content stage alone, on one core: items/s of rsspress.content.prepare_body.

    python bench/content.py [--corpus DIR] [--profile default] [--repeat 3]

Parses the corpus first (not timed), then prepares every item's body as a
run does: lazy-image repair, URL resolution, proxying, sanitizing (default
profile), Markdown and Nunjucks safety. Issue target: 3,000 items/s or more.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from rsspress.config import ContentConfig, FeedConfig, ImagesConfig, builtin_rules
from rsspress.content import prepare_body
from rsspress.content.rules import rule_for
from rsspress.model import Profile
from rsspress.parse import parse_feed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/rsspress-bench/corpus-M"))
    parser.add_argument("--profile", choices=("default", "compat"), default="default")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    items = [
        item
        for path in sorted((args.corpus / "feeds").iterdir())
        for item in parse_feed(path.read_bytes(), "http://x/").items
    ]
    images = ImagesConfig(proxy="https://cors.zfour.workers.dev/?{url}", rewrite="http")
    content = ContentConfig(rules=tuple(builtin_rules()))  # as a run: the shipped rules apply
    feed = FeedConfig("科技资讯", "ZAKER", "channel", "http://x/")
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for n, item in enumerate(items):
            prepare_body(
                item.content_html,
                base_url=item.link,
                images=images,
                profile=Profile(args.profile),
                placeholder_n=n,
                content=content,
                rule=rule_for(content.rules, feed, item.link),
                media_images=item.image_urls,
            )
        times.append(time.perf_counter() - started)
    best, median = min(times), statistics.median(times)
    mb = sum(len(i.content_html.encode()) for i in items) / 1e6
    print(
        f"content stage, profile {args.profile}: {len(items)} items ({mb:.1f} MB) on one core:"
        f" median {median:.2f}s = {len(items) / median:.0f} items/s (best {len(items) / best:.0f})"
    )


if __name__ == "__main__":
    main()
