"""Decide which items are new. Pure: no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from rsspress.parse import FeedItem


def item_key(item: FeedItem) -> str:
    """How an item is known for ever: its guid, else its link, else its text.

    Once a key is published, the item never gets a second post, whatever
    later happens to its title, date or content.
    """
    if item.guid:
        return "guid:" + item.guid
    if item.link:
        return "link:" + item.link
    digest = hashlib.sha256((item.title + "\x00" + item.content_html).encode("utf-8"))
    return "hash:" + digest.hexdigest()


def new_items(items: Iterable[FeedItem], known: set[str]) -> list[tuple[str, FeedItem]]:
    """The items whose key is not known yet, each once, in feed order."""
    seen = set(known)
    out: list[tuple[str, FeedItem]] = []
    for item in items:
        key = item_key(item)
        if key in seen:
            continue
        seen.add(key)
        out.append((key, item))
    return out


def post_id(feed_key: str, key: str) -> str:
    """A stable hex id for one item of one feed; posts are named after it."""
    return hashlib.sha256(f"{feed_key}\x00{key}".encode()).hexdigest()


def placeholder_number(post: str) -> int:
    """The number put into the placeholder cover URL: stable per item."""
    return int(post[:8], 16) % 10000
