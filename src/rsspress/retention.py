"""Retention: which posts have had their time (pure), and removing them (files, then state)."""

from __future__ import annotations

from collections import defaultdict

from rsspress.config import OutputConfig, RetentionConfig
from rsspress.dates import item_when
from rsspress.model import PostedItem
from rsspress.publish.formats import post_file_name
from rsspress.store import RetentionStore


def item_time(item: PostedItem) -> float:
    """When the item was published: its own date, else when we first saw it."""
    return item_when(item.date, item.first_seen_at).timestamp()


def expired(items: list[PostedItem], policy: RetentionConfig, now: float) -> list[PostedItem]:
    """The items whose posts go: older than ``days``, or beyond the newest ``per_feed``."""
    gone: dict[int, PostedItem] = {}
    if policy.days is not None:
        cutoff = now - policy.days * 86400
        gone.update((i.id, i) for i in items if item_time(i) < cutoff)
    if policy.per_feed is not None:
        by_feed: dict[str, list[PostedItem]] = defaultdict(list)
        for item in items:
            by_feed[item.feed_key].append(item)
        for feed_items in by_feed.values():
            feed_items.sort(key=lambda i: (item_time(i), i.id), reverse=True)
            gone.update((i.id, i) for i in feed_items[policy.per_feed :])
    return sorted(gone.values(), key=lambda i: i.id)


def prune(
    store: RetentionStore, outputs: tuple[OutputConfig, ...], policy: RetentionConfig, now: float
) -> int:
    """Remove expired posts; the state remembers their items so they never come back.

    The files go first: a process killed in between leaves a state row whose
    files are already gone, and the next prune finishes the job. An HTML
    site loses the item's page at its next build, which lists only the items
    the state still publishes.
    """
    if policy.days is None and policy.per_feed is None:
        return 0
    removed = 0
    for item in expired(store.posted_items(), policy, now):
        when = item_when(item.date, item.first_seen_at)
        for out in outputs:
            if not out.is_site:
                (out.dir / post_file_name(out.format, item.post_id, when)).unlink(missing_ok=True)
        store.mark_pruned(item.id, now)
        removed += 1
    return removed
