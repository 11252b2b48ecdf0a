"""The mirror's memory: one SQLite file (WAL) with numbered schema migrations.

An item row is the promise that its post exists: it is inserted only after
the post file is on disk, in the same transaction that records the fetch,
so a killed process leaves either both or (for the last feed in hand) a post
that the next run writes again, byte for byte, under the same name.
"""

from __future__ import annotations

import fcntl
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rsspress.config import FeedConfig
from rsspress.publish.post import item_when

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
)


@dataclass(frozen=True)
class FeedState:
    key: str
    group: str
    site: str
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    last_fetch_at: float | None
    last_ok_at: float | None
    last_outcome: str | None
    error_kind: str | None
    error_message: str | None
    failures: int
    next_attempt_at: float | None  # a failing feed's next try (backoff)
    next_poll_at: float | None = None  # a healthy feed's next poll (the daemon's schedule)
    first_failure_at: float | None = None  # when its current run of failures began
    dead_reason: str | None = None  # why it is dead; None: alive
    item_count: int = 0


@dataclass(frozen=True)
class ItemRecord:
    """What the store keeps of a published item."""

    item_key: str
    post_id: str
    guid: str | None
    link: str | None
    title: str
    date: str | None
    date_text: str | None
    author: str | None
    content: str
    filename: str | None
    first_seen_at: float
    published_at: float | None
    dropped: str | None = None  # why a filter dropped it; then there is no post
    body: str | None = None  # cleaned for the HTML site (default profile); None: not prepared
    cover: str | None = None  # its real cover image, if it has one
    summary: str | None = None  # the body's first words as plain text (lists, search)


@dataclass(frozen=True)
class PostedItem:
    id: int
    feed_key: str
    post_id: str
    filename: str
    date: str  # ISO 8601, '' when the item had none
    first_seen_at: float


@dataclass(frozen=True)
class SiteItem:
    """A published item as the HTML site lists it (no body: lists don't need one)."""

    id: int
    feed_key: str
    post_id: str
    title: str
    link: str | None
    date: str | None  # ISO 8601
    first_seen_at: float
    cover: str | None
    summary: str | None


@dataclass(frozen=True)
class SiteBody:
    """What an item page shows: the cleaned body, or None and the raw HTML to clean."""

    body: str | None
    content: str


@dataclass(frozen=True)
class PageRecord:
    """An article page fetched for full text: its article, or why there is none."""

    url: str
    fetched_at: float
    content: str | None
    error: str | None = None


@dataclass(frozen=True)
class FetchOutcome:
    """What one fetch changes in a feed's row."""

    outcome: str  # ok | not_modified | error
    at: float
    etag: str | None = None
    last_modified: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    next_attempt_at: float | None = None
    next_poll_at: float | None = None  # ok / not modified: when the daemon polls again
    dead_reason: str | None = None  # error: the feed is dead, and why


class StoreLocked(Exception):
    """Another rsspress process holds the state."""


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        # Checkpoint every 64 MiB of WAL instead of 4 MiB: a cold run of
        # thousands of items otherwise spends most of its database time there.
        self.db.execute("PRAGMA wal_autocheckpoint=16384")
        self._lock: IO[str] | None = None
        self.migrate()

    def lock(self) -> None:
        """Hold the mirror for this process until close(): a second run fails at once.

        Two runs on one state would race to publish the same items and could
        remove each other's temporary files.
        """
        handle = open(f"{self.path}.lock", "a+")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StoreLocked(
                f"another rsspress process is working on {self.path}; wait for it to finish"
            ) from None
        self._lock = handle

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        while self.schema_version < len(MIGRATIONS):
            version = self.schema_version
            with self.transaction():
                for statement in _statements(MIGRATIONS[version]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {version + 1}")
        if self.schema_version > len(MIGRATIONS):
            raise RuntimeError(
                f"{self.path} was written by a newer rsspress (schema {self.schema_version});"
                " upgrade rsspress to use it"
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- feeds --------------------------------------------------------------

    def sync_feeds(self, feeds: Iterable[FeedConfig]) -> None:
        """Add the config's feeds; keep the state of feeds already known."""
        with self.transaction():
            self.db.executemany(
                """INSERT INTO feeds (key, grp, site, name, url) VALUES (?, ?, ?, ?, ?)
                   ON CONFLICT(key) DO UPDATE SET
                       -- validators belong to the old URL: a moved feed is fetched afresh
                       etag = CASE WHEN url = excluded.url THEN etag END,
                       last_modified = CASE WHEN url = excluded.url THEN last_modified END,
                       url = excluded.url""",
                [(f.key, f.group, f.site, f.name, f.url) for f in feeds],
            )

    def feed_states(self) -> dict[str, FeedState]:
        rows = self.db.execute(
            """SELECT key, grp, site, name, url, etag, last_modified, last_fetch_at, last_ok_at,
                      last_outcome, error_kind, error_message, failures, next_attempt_at,
                      next_poll_at, first_failure_at, dead_reason,
                      (SELECT COUNT(*) FROM items WHERE items.feed_key = feeds.key
                                                        AND items.filename IS NOT NULL)
               FROM feeds"""
        ).fetchall()
        return {row[0]: FeedState(*row) for row in rows}

    def record_fetch(self, feed_key: str, outcome: FetchOutcome) -> None:
        with self.transaction():
            self._update_feed(feed_key, outcome)

    def _update_feed(self, feed_key: str, o: FetchOutcome) -> None:
        if o.outcome == "error":
            self.db.execute(
                """UPDATE feeds SET last_fetch_at = ?, last_outcome = 'error', error_kind = ?,
                          error_message = ?, failures = failures + 1, next_attempt_at = ?,
                          first_failure_at = COALESCE(first_failure_at, ?), dead_reason = ?
                   WHERE key = ?""",
                (o.at, o.error_kind, o.error_message, o.next_attempt_at, o.at, o.dead_reason,
                 feed_key),
            )  # fmt: skip
        else:
            self.db.execute(
                """UPDATE feeds SET last_fetch_at = ?, last_ok_at = ?, last_outcome = ?,
                          etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                          error_kind = NULL, error_message = NULL, failures = 0,
                          next_attempt_at = ?, next_poll_at = ?, first_failure_at = NULL,
                          dead_reason = NULL
                   WHERE key = ?""",
                (o.at, o.at, o.outcome, o.etag, o.last_modified, o.next_attempt_at,
                 o.next_poll_at, feed_key),
            )  # fmt: skip

    def pause_host(self, host: str, not_before: float, reason: str) -> None:
        """A host asked us to wait (429, 503): none of its feeds is fetched before then."""
        with self.transaction():
            self.db.execute(
                """INSERT INTO hosts (host, not_before, reason) VALUES (?, ?, ?)
                   ON CONFLICT(host) DO UPDATE SET reason = excluded.reason,
                       not_before = MAX(not_before, excluded.not_before)""",
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

    def cached_articles(self, urls: Iterable[str]) -> dict[str, str]:
        """The articles already extracted from these pages."""
        sql = "SELECT url, content FROM pages WHERE content IS NOT NULL AND url IN ({marks})"
        return dict(self._select_in(sql, list(urls)))

    def posted_items(self) -> list[PostedItem]:
        """Every item that has a post now, for retention."""
        rows = self.db.execute(
            """SELECT id, feed_key, post_id, filename, COALESCE(date, ''), first_seen_at FROM items
               WHERE filename IS NOT NULL"""
        )
        return [PostedItem(*row) for row in rows]

    def site_items(self) -> list[SiteItem]:
        """Every item that is published now (not dropped, not pruned)."""
        rows = self.db.execute(
            """SELECT id, feed_key, post_id, title, link, date, first_seen_at, cover, summary
               FROM items WHERE filename IS NOT NULL"""
        )
        return [SiteItem(*row) for row in rows]

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
                """UPDATE items SET filename = NULL, content = '', body = NULL, cover = NULL,
                          summary = NULL, pruned_at = ? WHERE id = ?""",
                (at, item_id),
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
    ) -> None:
        """Remember published items, their pages and the fetch, in one transaction."""
        with self.transaction():
            self.db.executemany(
                """INSERT INTO pages (url, fetched_at, content, error) VALUES (?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at,
                       content = excluded.content, error = excluded.error""",
                [(p.url, p.fetched_at, p.content, p.error) for p in pages],
            )
            self.db.executemany(
                """INSERT INTO items (feed_key, item_key, post_id, guid, link, title, date,
                                      date_text, author, content, filename, first_seen_at,
                                      published_at, dropped, body, cover, summary)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(feed_key, item_key) DO NOTHING""",
                [
                    (
                        feed_key,
                        i.item_key,
                        i.post_id,
                        i.guid,
                        i.link,
                        i.title,
                        i.date,
                        i.date_text,
                        i.author,
                        i.content,
                        i.filename,
                        i.first_seen_at,
                        i.published_at,
                        i.dropped,
                        i.body,
                        i.cover,
                        i.summary,
                    )
                    for i in items
                ],
            )
            self._update_feed(feed_key, outcome)

    def items(self, feed_key: str | None = None) -> list[ItemRecord]:
        sql = """SELECT item_key, post_id, guid, link, title, date, date_text, author, content,
                        filename, first_seen_at, published_at, dropped, body, cover, summary
                 FROM items"""
        args: tuple[str, ...] = ()
        if feed_key is not None:
            sql += " WHERE feed_key = ?"
            args = (feed_key,)
        return [ItemRecord(*row) for row in self.db.execute(sql + " ORDER BY id", args)]


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
