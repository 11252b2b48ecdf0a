"""Which items of a fetched document are new. Pure: no I/O.

How an item is known (its key) is :mod:`rsspress.item_keys`; an ``rsshub:/`` route's
items are keyed the same whichever instance served them (:mod:`rsspress.rsshub.items`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from rsspress.item_keys import KnownItems, keyed_items
from rsspress.parse import FeedItem


@dataclass(frozen=True)
class NewItems:
    """The new items of one document to publish now, and how many wait for later."""

    items: tuple[tuple[str, FeedItem], ...] = ()  # (key, item), in document order
    # New items over the cap: not recorded, so a later fetch brings them if still in the feed.
    deferred: int = 0
    # New items with nothing to show (no title, body, link or enclosure), as a bot's
    # placeholder or a half-written document gives them: not recorded, so they are
    # published once they come with their content.
    empty: int = 0


@dataclass(frozen=True)
class LeftOut:
    """What one fetched document did not publish now, and why: nothing is lost, a later
    fetch brings it."""

    damage: str | None = None  # the XML parser's message: the document was not well-formed
    held_back: int = 0  # items cut off or broken in it, or empty
    deferred: int = 0  # new items over the cap

    def __bool__(self) -> bool:
        return self.damage is not None or self.held_back > 0 or self.deferred > 0

    def describe(self) -> str:
        """For the run's summary and ``rsspress status``."""
        parts = [f"malformed: {self.damage}"] if self.damage else []
        if self.held_back:
            parts.append(
                f"{_count(self.held_back, 'item')} cut off or empty, held back until whole"
            )
        if self.deferred:
            parts.append(
                f"{_count(self.deferred, 'new item')} over the cap (max_new_items),"
                " left for later fetches"
            )
        return "; ".join(parts)


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")


def new_items(items: Iterable[FeedItem], known: KnownItems, limit: int | None = None) -> NewItems:
    """The items whose key is not known yet, each once; at most ``limit``, newest first.

    Once a key is published, the item never gets a second post, whatever
    later happens to its title, date or content.
    """
    unknown = [(keyed.key, keyed.item) for keyed in keyed_items(items, known) if not keyed.known]
    fresh = [(key, item) for key, item in unknown if not _empty(item)]
    empty = len(unknown) - len(fresh)
    if limit is None or len(fresh) <= limit:
        return NewItems(tuple(fresh), empty=empty)
    newest_first = sorted(range(len(fresh)), key=lambda n: _recency(fresh[n][1], n))
    chosen = sorted(newest_first[:limit])
    return NewItems(tuple(fresh[n] for n in chosen), len(fresh) - len(chosen), empty)


def _empty(item: FeedItem) -> bool:
    return not (
        item.title.strip()
        or item.content_html.strip()
        or item.link
        or item.enclosure_urls
        or item.image_urls
    )


def _recency(item: FeedItem, position: int) -> tuple[int, float, int]:
    """Undated items first (they are dated when first seen: now), then by date, newest first;
    ties in document order (feeds list their newest items first)."""
    if item.date is None:
        return (0, 0.0, position)
    return (1, -item.date.timestamp(), position)


def post_id(feed_key: str, key: str) -> str:
    """A stable hex id for one item of one feed; posts are named after it."""
    return hashlib.sha256(f"{feed_key}\x00{key}".encode()).hexdigest()
