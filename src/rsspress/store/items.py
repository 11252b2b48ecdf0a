"""Items: each feed's items, recorded once per (feed, item) key whatever the timing.

An item row is the promise that its post exists: it is inserted only after the
post file is on disk, in the transaction that records the fetch (:meth:`.Store.record_fetch`).
"""

from __future__ import annotations

from typing import Any

from rsspress.dates import item_when
from rsspress.item_keys import Remembered
from rsspress.model import ItemRecord, ItemState, PostedItem
from rsspress.store.backends import Backend


def known_item_keys(db: Backend, feed_key: str) -> set[str]:
    rows = db.execute("SELECT item_key FROM items WHERE feed_key = ?", (feed_key,))
    return {row[0] for row in rows}


def known_items(db: Backend, feed_key: str) -> dict[str, Remembered]:
    """The feed's recorded items by key, with what recognizes them under another key."""
    rows = db.execute("SELECT item_key, title, date FROM items WHERE feed_key = ?", (feed_key,))
    return {key: Remembered(title, date) for key, title, date in rows}


def item_times(db: Backend, feed_key: str, limit: int) -> list[float]:
    """When the feed's newest items were published (their dates, else first seen)."""
    rows = db.execute(
        "SELECT date, first_seen_at FROM items WHERE feed_key = ? ORDER BY id DESC LIMIT ?",
        (feed_key, limit),
    )
    return [item_when(date, seen).timestamp() for date, seen in rows]


def insert_items(db: Backend, feed_key: str, items: list[ItemRecord]) -> int:
    """Insert the items not recorded yet; how many were. Runs inside the caller's transaction.

    An item already recorded (by another worker that had taken the feed over) is
    left as it is: the unique (feed, item) key decides, not timing.
    """
    if not items:
        return 0
    return db.executemany(
        """INSERT INTO items (feed_key, item_key, post_id, guid, link, title, date,
                              date_text, author, content, state, first_seen_at,
                              published_at, dropped, body, cover, summary)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(feed_key, item_key) DO NOTHING""",
        [
            (feed_key, i.item_key, i.post_id, i.guid, i.link, i.title, i.date, i.date_text,
             i.author, i.content, i.state, i.first_seen_at, i.published_at, i.drop_reason,
             i.body, i.cover, i.summary)
            for i in items
        ],
    )  # fmt: skip


def items(db: Backend, feed_key: str | None) -> list[ItemRecord]:
    """The items of one feed (or of all), in the order they were recorded."""
    sql = """SELECT item_key, post_id, guid, link, title, date, date_text, author, content,
                    state, first_seen_at, published_at, dropped, body, cover, summary
             FROM items"""
    args: tuple[str, ...] = ()
    if feed_key is not None:
        sql += " WHERE feed_key = ?"
        args = (feed_key,)
    return [_item_record(row) for row in db.execute(sql + " ORDER BY id", args)]


def posted_items(db: Backend) -> list[PostedItem]:
    """Every item that has a post now, for retention."""
    rows = db.execute(
        """SELECT id, feed_key, post_id, COALESCE(date, ''), first_seen_at FROM items
           WHERE state = 'published'"""
    )
    return [PostedItem(*row) for row in rows]


def mark_pruned(db: Backend, item_id: int, at: float) -> None:
    """The item's post is gone: remember the item, forget its post and content."""
    with db.transaction():
        db.execute(
            """UPDATE items SET state = ?, content = '', body = NULL, cover = NULL,
                      summary = NULL, pruned_at = ? WHERE id = ?""",
            (ItemState.PRUNED, at, item_id),
        )


def _item_record(row: tuple[Any, ...]) -> ItemRecord:
    values = list(row)
    values[9] = ItemState(values[9])
    return ItemRecord(*values)
