"""The feeds the state knows: kept in step with the config, read back as FeedStates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rsspress.config import FeedConfig
from rsspress.model import FeedState, Outcome
from rsspress.store.backends import Backend


def sync_feeds(db: Backend, feeds: Iterable[FeedConfig]) -> None:
    """Add the config's feeds; keep the state of feeds already known.

    Feeds the config no longer lists stay (with their items) but are not
    claimed. Only rows that change are written: several workers sync at
    every round, and a row written is a row their claims must skip.
    """
    wanted = {f.key: f for f in feeds}
    known = {
        key: (url, host, active)
        for key, url, host, active in db.execute("SELECT key, url, host, active FROM feeds")
    }
    new = [f for key, f in wanted.items() if key not in known]
    changed = [
        f for key, f in wanted.items() if key in known and known[key] != (f.url, f.pause_host, 1)
    ]
    gone = [key for key, (_, _, active) in known.items() if active and key not in wanted]
    if not (new or changed or gone):
        return
    with db.transaction():
        db.executemany(
            """INSERT INTO feeds (key, grp, site, name, url, host) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT(key) DO NOTHING""",
            [(f.key, f.group, f.site, f.name, f.url, f.pause_host) for f in new],
        )
        db.executemany(
            """UPDATE feeds SET
                   -- validators belong to the old URL: a moved feed is fetched afresh
                   etag = CASE WHEN url = ? THEN etag END,
                   last_modified = CASE WHEN url = ? THEN last_modified END,
                   url = ?, host = ?, active = 1
               WHERE key = ?""",
            [(f.url, f.url, f.url, f.pause_host, f.key) for f in changed],
        )
        db.executemany("UPDATE feeds SET active = 0 WHERE key = ?", [(k,) for k in gone])


def feed_states(db: Backend, where: str = "", params: tuple[Any, ...] = ()) -> list[FeedState]:
    """The states of the feeds ``where`` selects (a WHERE clause, or all)."""
    rows = db.execute(
        f"""SELECT key, grp, site, name, url, etag, last_modified, last_fetch_at, last_ok_at,
                  last_outcome, error_kind, error_message, failures, next_attempt_at,
                  next_poll_at, first_failure_at, dead_reason, lease_owner, lease_until,
                  (SELECT COUNT(*) FROM items WHERE items.feed_key = feeds.key
                                                    AND items.state = 'published'),
                  malformed, held_back, deferred, unreadable_dates
           FROM feeds {where}""",
        params,
    ).fetchall()
    return [_feed_state(row) for row in rows]


def _feed_state(row: tuple[Any, ...]) -> FeedState:
    values = list(row)
    if values[9] is not None:  # last_outcome
        values[9] = Outcome(values[9])
    return FeedState(*values)
