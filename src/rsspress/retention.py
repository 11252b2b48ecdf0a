"""Retention: which posts have had their time (pure), and removing them (files, then state)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from rsspress.config import RetentionConfig
from rsspress.store import PostedItem, Store


def item_time(item: PostedItem) -> float:
    """When the item was published: its own date, else when we first saw it."""
    if item.date:
        try:
            return dt.datetime.fromisoformat(item.date).timestamp()
        except ValueError:
            pass
    return item.first_seen_at


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


def prune(store: Store, posts_dir: Path, policy: RetentionConfig, now: float) -> int:
    """Remove expired posts; the state remembers their items so they never come back.

    The file goes first: a process killed in between leaves a state row whose
    file is already gone, and the next prune finishes the job.
    """
    if policy.days is None and policy.per_feed is None:
        return 0
    removed = 0
    for item in expired(store.posted_items(), policy, now):
        (posts_dir / item.filename).unlink(missing_ok=True)
        store.mark_pruned(item.id, now)
        removed += 1
    return removed
