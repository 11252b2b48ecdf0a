"""The mirror's memory: numbered schema migrations over SQLite (a file, the
default) or PostgreSQL (shared by several workers); see :mod:`.backends`.

An item row is the promise that its post exists: it is inserted only after
the post file is on disk, in the same transaction that records the fetch,
so a killed process leaves either both or (for the last feed in hand) a post
that the next run writes again, byte for byte, under the same name.

Workers take feeds with a lease (:meth:`Store.claim_feeds`): a feed is fetched
by one worker at a time, a killed worker's leases run out and others take its
feeds over, and a worker records a fetch only while its lease holds. An item
row is unique per feed and item, so an item is published once whatever the
timing.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rsspress.config import FeedConfig
from rsspress.dates import item_when
from rsspress.item_keys import Remembered
from rsspress.machine import HOST, local_process_gone
from rsspress.model import (
    FeedState,
    FetchOutcome,
    ItemRecord,
    ItemState,
    Outcome,
    PageRecord,
    PostedItem,
    SiteBody,
    SiteItem,
)
from rsspress.store.backends import StateError, StoreLocked, open_backend

__all__ = [
    "FeedState",
    "FetchOutcome",
    "ItemRecord",
    "LeaseLost",
    "PageRecord",
    "PostedItem",
    "SiteBody",
    "SiteItem",
    "StateError",
    "Store",
    "StoreLocked",
]

# Each entry moves the schema from version N to N+1; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE feeds (
        key             TEXT PRIMARY KEY,   -- JSON [group, site, name]
        grp             TEXT NOT NULL,
        site            TEXT NOT NULL,
        name            TEXT NOT NULL,
        url             TEXT NOT NULL,
        etag            TEXT,
        last_modified   TEXT,
        last_fetch_at   REAL,
        last_ok_at      REAL,
        last_outcome    TEXT,               -- ok | not_modified | error
        error_kind      TEXT,
        error_message   TEXT,
        failures        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL
    );
    CREATE TABLE items (
        id            INTEGER PRIMARY KEY,
        feed_key      TEXT NOT NULL REFERENCES feeds(key),
        item_key      TEXT NOT NULL,
        post_id       TEXT NOT NULL,
        guid          TEXT,
        link          TEXT,
        title         TEXT NOT NULL,
        date          TEXT,                 -- ISO 8601 with offset
        date_text     TEXT,                 -- as the feed wrote it
        author        TEXT,
        content       TEXT NOT NULL,        -- the item's HTML as fetched
        filename      TEXT,
        first_seen_at REAL NOT NULL,
        published_at  REAL,
        UNIQUE (feed_key, item_key)
    );
    CREATE UNIQUE INDEX items_post_id ON items(post_id);
    """,
    # 2: filters. A dropped item is remembered (why, and no post) so that a
    # later run does not consider it again.
    """
    ALTER TABLE items ADD COLUMN dropped TEXT;
    """,
    # 3: full text. Each article page is fetched once: its extracted article,
    # or why there was none (then the item keeps its summary).
    """
    CREATE TABLE pages (
        url        TEXT PRIMARY KEY,
        fetched_at REAL NOT NULL,
        content    TEXT,
        error      TEXT
    );
    """,
    # 4: retention. A pruned item keeps its row (so it never comes back) but
    # loses its post and its content.
    """
    ALTER TABLE items ADD COLUMN pruned_at REAL;
    """,
    # 5: the HTML site. The item's cleaned body (the default profile's), its
    # cover image and a plain-text summary, so a site build never parses or
    # sanitizes again.
    """
    ALTER TABLE items ADD COLUMN body TEXT;
    ALTER TABLE items ADD COLUMN cover TEXT;
    ALTER TABLE items ADD COLUMN summary TEXT;
    """,
    # 6: the daemon's scheduler. Each feed's own next poll (from how often it
    # publishes), since when it has been failing, and whether it is dead; and
    # hosts that asked everyone to wait (429, 503 with Retry-After).
    """
    ALTER TABLE feeds ADD COLUMN next_poll_at REAL;
    ALTER TABLE feeds ADD COLUMN first_failure_at REAL;
    ALTER TABLE feeds ADD COLUMN dead_reason TEXT;
    CREATE TABLE hosts (
        host       TEXT PRIMARY KEY,
        not_before REAL NOT NULL,
        reason     TEXT NOT NULL
    );
    """,
    # 7: several workers on one state. Each feed's host (for host pauses in the
    # claim query), whether the config still lists it, and who holds it until when.
    """
    ALTER TABLE feeds ADD COLUMN host TEXT;
    ALTER TABLE feeds ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
    ALTER TABLE feeds ADD COLUMN lease_until REAL;
    """,
    # 8: what the last document held back. The XML parser's message when it was
    # damaged (its whole items were published), how many items were cut off, and
    # how many new items waited over the per-fetch cap.
    """
    ALTER TABLE feeds ADD COLUMN malformed TEXT;
    ALTER TABLE feeds ADD COLUMN held_back INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN deferred INTEGER NOT NULL DEFAULT 0;
    """,
    # RSSHub instances (rsspress.rsshub.state). How each instance answers over all
    # routes (down, refusing our access code, or fine), and for each rsshub:/ feed on
    # each instance: its validators there, when it last served the feed, its route errors.
    """
    CREATE TABLE rsshub_instances (
        instance   TEXT PRIMARY KEY,     -- host[:port][/prefix]
        label      TEXT NOT NULL,        -- its URL without credentials, for status
        failures   INTEGER NOT NULL DEFAULT 0,
        rest_until REAL,
        error      TEXT,
        last_ok_at REAL,
        failed_at  REAL
    );
    CREATE TABLE rsshub_routes (
        feed_key      TEXT NOT NULL,
        instance      TEXT NOT NULL,
        url           TEXT,              -- the URL (without the access code) of the validators
        etag          TEXT,
        last_modified TEXT,
        last_ok_at    REAL,              -- when this instance last served the feed well
        failures      INTEGER NOT NULL DEFAULT 0,
        rest_until    REAL,
        error         TEXT,
        failed_at     REAL,
        PRIMARY KEY (feed_key, instance)
    );
    """,
    # Dates no reader understood in each feed's last document (those items are dated
    # when first seen): shown by `rsspress status`.
    """
    ALTER TABLE feeds ADD COLUMN unreadable_dates INTEGER NOT NULL DEFAULT 0;
    """,
    # 11: an item's state said at last (rsspress.model.ItemState), not read off other
    # columns: published (it had a post file name), dropped (a filter's reason) or pruned.
    # The file name (a Hexo one, whatever the outputs) is no longer written: each output
    # names its own files from the post id.
    """
    ALTER TABLE items ADD COLUMN state TEXT NOT NULL DEFAULT 'published';
    UPDATE items SET state = CASE WHEN pruned_at IS NOT NULL THEN 'pruned'
                                  WHEN filename IS NOT NULL THEN 'published'
                                  ELSE 'dropped' END;
    """,
)


class LeaseLost(Exception):
    """This worker's lease on a feed ran out and another worker took the feed over."""


# When a feed is due; the parameters are (now, now, scheduled, now), see claim_feeds.
_DUE = """dead_reason IS NULL
          AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
          AND (? = 0 OR next_poll_at IS NULL OR next_poll_at <= ?)
          AND NOT EXISTS (SELECT 1 FROM hosts WHERE hosts.host = feeds.host
                                                AND hosts.not_before > ?)"""


class Store:
    def __init__(self, state: Path | str) -> None:
        self.db = open_backend(state)
        self.location = self.db.location
        # Who this process is in leases: host and pid say which worker holds a feed.
        self.owner = f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"
        try:
            self.migrate()
        except BaseException:
            self.db.close()
            raise

    @property
    def shared(self) -> bool:
        """Several processes may work on this state at once (PostgreSQL)."""
        return self.db.shared

    def lock(self) -> None:
        """Hold an unshared state (SQLite) for this process until close().

        A second run on it fails at once; and leases left by a killed run are
        stale, since no other process can hold one. A shared state (PostgreSQL)
        is not held: workers claim feeds with leases instead, and leases of
        this machine's processes that have ended are freed.
        """
        self.db.lock()
        if not self.shared:
            self._free_leases("lease_owner IS NOT NULL")
            return
        # A process of this machine that held leases and has ended (killed, say)
        # needs no waiting for: its feeds are free now.
        owners = self.db.execute(
            "SELECT DISTINCT lease_owner FROM feeds WHERE lease_owner LIKE ?", (f"{HOST}:%",)
        ).fetchall()
        for (owner,) in owners:
            host, pid, _ = owner.rsplit(":", 2)
            if pid.isdigit() and local_process_gone(host, int(pid)):
                self._free_leases("lease_owner = ?", (owner,))

    def _free_leases(self, where: str, params: tuple[Any, ...] = ()) -> None:
        with self.transaction():
            self.db.execute(
                f"UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE {where}", params
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.schema_version()

    def migrate(self) -> None:
        if self.db.schema_version() == len(MIGRATIONS):
            return  # the usual case: no write lock, no waiting for other workers
        with self.db.migration():
            version = self.db.schema_version()
            if version > len(MIGRATIONS):
                raise StateError(
                    f"{self.location} was written by a newer rsspress (schema {version});"
                    " upgrade rsspress to use it"
                )
            for migration in MIGRATIONS[version:]:
                for statement in _statements(migration):
                    self.db.execute(self.db.ddl(statement))
            if version < len(MIGRATIONS):
                self.db.set_schema_version(len(MIGRATIONS))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    # -- feeds --------------------------------------------------------------

    def sync_feeds(self, feeds: Iterable[FeedConfig]) -> None:
        """Add the config's feeds; keep the state of feeds already known.

        Feeds the config no longer lists stay (with their items) but are not
        claimed. Only rows that change are written: several workers sync at
        every round, and a row written is a row their claims must skip.
        """
        wanted = {f.key: f for f in feeds}
        known = {
            key: (url, host, active)
            for key, url, host, active in self.db.execute(
                "SELECT key, url, host, active FROM feeds"
            )
        }
        new = [f for key, f in wanted.items() if key not in known]
        changed = [
            f
            for key, f in wanted.items()
            if key in known and known[key] != (f.url, f.pause_host, 1)
        ]
        gone = [key for key, (_, _, active) in known.items() if active and key not in wanted]
        if not (new or changed or gone):
            return
        with self.transaction():
            self.db.executemany(
                """INSERT INTO feeds (key, grp, site, name, url, host) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(key) DO NOTHING""",
                [(f.key, f.group, f.site, f.name, f.url, f.pause_host) for f in new],
            )
            self.db.executemany(
                """UPDATE feeds SET
                       -- validators belong to the old URL: a moved feed is fetched afresh
                       etag = CASE WHEN url = ? THEN etag END,
                       last_modified = CASE WHEN url = ? THEN last_modified END,
                       url = ?, host = ?, active = 1
                   WHERE key = ?""",
                [(f.url, f.url, f.url, f.pause_host, f.key) for f in changed],
            )
            self.db.executemany("UPDATE feeds SET active = 0 WHERE key = ?", [(k,) for k in gone])

    def feed_states(self) -> dict[str, FeedState]:
        return {state.key: state for state in self._feed_states("")}

    def _feed_states(self, where: str, params: tuple[Any, ...] = ()) -> list[FeedState]:
        rows = self.db.execute(
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

    def _claimable(
        self, now: float, *, force: bool, scheduled: bool, since: float | None
    ) -> tuple[str, tuple[Any, ...]]:
        """The WHERE clause of feeds a worker may take now, and its parameters.

        Due (unless ``force``), listed in the config, not leased, and not
        fetched already since ``since`` (the run's start: a run takes each feed once).
        """
        where = "active = 1 AND (lease_until IS NULL OR lease_until <= ?)"
        params: tuple[Any, ...] = (now,)
        if since is not None:
            where += " AND (last_fetch_at IS NULL OR last_fetch_at < ?)"
            params += (since,)
        if not force:
            where += f" AND {_DUE}"
            params += (now, int(scheduled), now, now)
        return where, params

    def count_due(self, now: float, *, force: bool = False, scheduled: bool = False) -> int:
        where, params = self._claimable(now, force=force, scheduled=scheduled, since=None)
        return int(
            self.db.execute(f"SELECT COUNT(*) FROM feeds WHERE {where}", params).fetchone()[0]
        )

    def claim_feeds(
        self,
        now: float,
        *,
        limit: int,
        lease: float,
        force: bool = False,
        scheduled: bool = False,
        since: float | None = None,
    ) -> list[FeedState]:
        """Lease up to ``limit`` due feeds to this worker until ``now + lease``; their states.

        Rows another worker is claiming at this instant are skipped, not waited for.
        """
        where, params = self._claimable(now, force=force, scheduled=scheduled, since=since)
        with self.transaction():
            keys = [
                row[0]
                for row in self.db.execute(
                    f"""SELECT key FROM feeds WHERE {where}
                        ORDER BY COALESCE(next_attempt_at, next_poll_at, 0), key
                        LIMIT ?{self.db.lock_rows}""",
                    (*params, limit),
                )
            ]
            if not keys:
                return []
            claimed = ",".join("?" * len(keys))
            self.db.execute(
                f"UPDATE feeds SET lease_owner = ?, lease_until = ? WHERE key IN ({claimed})",
                (self.owner, now + lease, *keys),
            )
            states = self._feed_states(f"WHERE key IN ({claimed})", tuple(keys))
        order = {key: n for n, key in enumerate(keys)}
        return sorted(states, key=lambda state: order[state.key])

    def record_fetch(self, feed_key: str, outcome: FetchOutcome) -> None:
        with self.transaction():
            self._update_feed(feed_key, outcome)

    def _update_feed(self, feed_key: str, o: FetchOutcome) -> None:
        """Record a fetch and end this worker's lease; LeaseLost if another worker holds it."""
        fenced = "WHERE key = ? AND (lease_owner IS NULL OR lease_owner = ?)"
        if o.outcome == "error":
            updated = self.db.execute(
                f"""UPDATE feeds SET last_fetch_at = ?, last_outcome = 'error', error_kind = ?,
                          error_message = ?, failures = failures + 1, next_attempt_at = ?,
                          first_failure_at = COALESCE(first_failure_at, ?), dead_reason = ?,
                          lease_owner = NULL, lease_until = NULL
                   {fenced}""",
                (o.at, o.error_kind, o.error_message, o.next_attempt_at, o.at, o.dead_reason,
                 feed_key, self.owner),
            )  # fmt: skip
        else:
            updated = self.db.execute(
                f"""UPDATE feeds SET last_fetch_at = ?, last_ok_at = ?, last_outcome = ?,
                          etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                          error_kind = NULL, error_message = NULL, failures = 0,
                          next_attempt_at = ?, next_poll_at = ?, first_failure_at = NULL,
                          dead_reason = NULL, lease_owner = NULL, lease_until = NULL
                   {fenced}""",
                (o.at, o.at, o.outcome, o.etag, o.last_modified, o.next_attempt_at,
                 o.next_poll_at, feed_key, self.owner),
            )  # fmt: skip
        if updated.rowcount == 0:
            raise LeaseLost(f"{feed_key}: another worker took this feed over")
        if o.outcome == "ok":
            self.db.execute(
                """UPDATE feeds SET malformed = ?, held_back = ?, deferred = ?,
                          etag = CASE WHEN ? = 1 THEN NULL ELSE etag END,
                          last_modified = CASE WHEN ? = 1 THEN NULL ELSE last_modified END
                   WHERE key = ?""",
                (o.malformed, o.held_back, o.deferred, int(o.incomplete), int(o.incomplete),
                 feed_key),
            )  # fmt: skip
            self.db.execute(
                "UPDATE feeds SET unreadable_dates = ? WHERE key = ?",
                (o.unreadable_dates, feed_key),
            )

    def release(self, feed_keys: Iterable[str]) -> None:
        """Give back leases on feeds this worker took but will not fetch."""
        keys = list(feed_keys)
        if keys:
            marks = ",".join("?" * len(keys))
            self._free_leases(f"lease_owner = ? AND key IN ({marks})", (self.owner, *keys))

    def pause_host(self, host: str, not_before: float, reason: str) -> None:
        """A host asked us to wait (429, 503): none of its feeds is fetched before then."""
        with self.transaction():
            self.db.execute(
                """INSERT INTO hosts (host, not_before, reason) VALUES (?, ?, ?)
                   ON CONFLICT(host) DO UPDATE SET reason = excluded.reason,
                       not_before = CASE WHEN hosts.not_before > excluded.not_before
                                         THEN hosts.not_before ELSE excluded.not_before END""",
                (host, not_before, reason),
            )

    def paused_hosts(self, now: float) -> dict[str, float]:
        rows = self.db.execute("SELECT host, not_before FROM hosts WHERE not_before > ?", (now,))
        return dict(rows.fetchall())

    def item_times(self, feed_key: str, limit: int = 200) -> list[float]:
        """When the feed's newest items were published (their dates, else first seen)."""
        rows = self.db.execute(
            """SELECT date, first_seen_at FROM items WHERE feed_key = ?
               ORDER BY id DESC LIMIT ?""",
            (feed_key, limit),
        )
        return [item_when(date, seen).timestamp() for date, seen in rows]

    # -- items --------------------------------------------------------------

    def known_item_keys(self, feed_key: str) -> set[str]:
        rows = self.db.execute("SELECT item_key FROM items WHERE feed_key = ?", (feed_key,))
        return {row[0] for row in rows}

    def known_items(self, feed_key: str) -> dict[str, Remembered]:
        """The feed's recorded items by key, with what recognizes them under another key."""
        rows = self.db.execute(
            "SELECT item_key, title, date FROM items WHERE feed_key = ?", (feed_key,)
        )
        return {key: Remembered(title, date) for key, title, date in rows}

    def cached_articles(self, urls: Iterable[str]) -> dict[str, str]:
        """The articles already extracted from these pages."""
        sql = "SELECT url, content FROM pages WHERE content IS NOT NULL AND url IN ({marks})"
        return dict(self._select_in(sql, list(urls)))

    def posted_items(self) -> list[PostedItem]:
        """Every item that has a post now, for retention."""
        rows = self.db.execute(
            """SELECT id, feed_key, post_id, COALESCE(date, ''), first_seen_at FROM items
               WHERE state = 'published'"""
        )
        return [PostedItem(*row) for row in rows]

    def site_items(self) -> list[SiteItem]:
        """Every item that is published now (not dropped, not pruned)."""
        rows = self.db.execute(
            """SELECT id, feed_key, post_id, title, link, date, first_seen_at, cover, summary
               FROM items WHERE state = 'published'"""
        )
        return [SiteItem(*row) for row in rows]

    def published_signature(self) -> tuple[Any, ...]:
        """Changes whenever an item is published or pruned (what a site shows)."""
        row = self.db.execute(
            """SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(pruned_at), 0) FROM items
               WHERE state IN ('published', 'pruned')"""
        ).fetchone()
        return tuple(row)

    def site_bodies(self, ids: Iterable[int]) -> dict[int, SiteBody]:
        rows = self._select_in(
            "SELECT id, body, content FROM items WHERE id IN ({marks})", list(ids)
        )
        return {row[0]: SiteBody(row[1], row[2]) for row in rows}

    def _select_in(self, sql: str, values: list[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows of ``sql`` whose ``IN ({marks})`` takes ``values``, 500 at a time
        (SQLite limits the number of parameters of one statement)."""
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            yield from self.db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)

    def mark_pruned(self, item_id: int, at: float) -> None:
        """The item's post is gone: remember the item, forget its post and content."""
        with self.transaction():
            self.db.execute(
                """UPDATE items SET state = ?, content = '', body = NULL, cover = NULL,
                          summary = NULL, pruned_at = ? WHERE id = ?""",
                (ItemState.PRUNED, at, item_id),
            )

    def pages(self) -> list[PageRecord]:
        rows = self.db.execute("SELECT url, fetched_at, content, error FROM pages ORDER BY url")
        return [PageRecord(*row) for row in rows]

    def record_items(
        self,
        feed_key: str,
        items: Iterable[ItemRecord],
        outcome: FetchOutcome,
        pages: Iterable[PageRecord] = (),
    ) -> int:
        """Remember published items, their pages and the fetch, in one transaction.

        Returns how many of the items were published now. An item already
        recorded (by another worker that had taken the feed over) is left as
        it is: the unique (feed, item) key decides, not timing.
        """
        items = list(items)
        with self.transaction():
            self._update_feed(feed_key, outcome)
            self.db.executemany(
                """INSERT INTO pages (url, fetched_at, content, error) VALUES (?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at,
                       content = excluded.content, error = excluded.error""",
                [(p.url, p.fetched_at, p.content, p.error) for p in pages],
            )
            published = [i for i in items if i.state is ItemState.PUBLISHED]
            count = self._insert_items(feed_key, published)
            self._insert_items(feed_key, [i for i in items if i.state is not ItemState.PUBLISHED])
        return count

    def _insert_items(self, feed_key: str, items: list[ItemRecord]) -> int:
        if not items:
            return 0
        return self.db.executemany(
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

    def items(self, feed_key: str | None = None) -> list[ItemRecord]:
        sql = """SELECT item_key, post_id, guid, link, title, date, date_text, author, content,
                        state, first_seen_at, published_at, dropped, body, cover, summary
                 FROM items"""
        args: tuple[str, ...] = ()
        if feed_key is not None:
            sql += " WHERE feed_key = ?"
            args = (feed_key,)
        return [_item_record(row) for row in self.db.execute(sql + " ORDER BY id", args)]


def _feed_state(row: tuple[Any, ...]) -> FeedState:
    values = list(row)
    if values[9] is not None:  # last_outcome
        values[9] = Outcome(values[9])
    return FeedState(*values)


def _item_record(row: tuple[Any, ...]) -> ItemRecord:
    values = list(row)
    values[9] = ItemState(values[9])
    return ItemRecord(*values)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit on its own)."""
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return [s for s in out if s]
