"""The schema of the state: numbered migrations, applied in order, each once.

A backend keeps the version it is at (SQLite's ``user_version``, a one-row table on
PostgreSQL) and adapts the column types; the SQL here is the dialect both understand.
"""

from __future__ import annotations

import sqlite3

from rsspress.store.backends import Backend, StateError

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


def migrate(db: Backend, to: int = len(MIGRATIONS)) -> None:
    """Bring the state to the last version (or to version ``to``: the tests build a past
    release's state with it); StateError if a newer rsspress wrote it."""
    if db.schema_version() == to:
        return  # the usual case: no write lock, no waiting for other workers
    with db.migration():
        version = db.schema_version()
        if version > len(MIGRATIONS):
            raise StateError(
                f"{db.location} was written by a newer rsspress (schema {version});"
                " upgrade rsspress to use it"
            )
        for migration in MIGRATIONS[version:to]:
            for statement in statements(migration):
                db.execute(db.ddl(statement))
        if version < to:
            db.set_schema_version(to)


def statements(script: str) -> list[str]:
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
