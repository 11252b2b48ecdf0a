"""store: one SQLite file in WAL mode, migrated from the first version on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rsspress.config import FeedConfig
from rsspress.store import MIGRATIONS, FetchOutcome, ItemRecord, Store, StoreLocked

FEED = FeedConfig("新媒体", "ZAKER", "channel", "http://example.test/feed")


def record(key: str) -> ItemRecord:
    return ItemRecord(
        item_key=key, post_id=key * 4, guid=key, link=None, title="t", date=None,
        date_text=None, author=None, content="<p>x</p>", filename=f"{key}.md",
        first_seen_at=1.0, published_at=1.0,
    )  # fmt: skip


def test_a_new_state_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    with Store(tmp_path / "state.db") as store:
        assert store.schema_version == len(MIGRATIONS)
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store(tmp_path / "state.db") as store:  # reopening migrates nothing
        assert store.schema_version == len(MIGRATIONS)


def test_a_state_from_a_newer_rsspress_is_refused(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer rsspress"):
        Store(tmp_path / "state.db")


def test_items_are_recorded_once(tmp_path: Path) -> None:
    with Store(tmp_path / "state.db") as store:
        store.sync_feeds([FEED])
        ok = FetchOutcome("ok", at=1.0, etag='"e"')
        store.record_items(FEED.key, [record("a"), record("b")], ok)
        store.record_items(FEED.key, [record("a")], ok)
        assert store.known_item_keys(FEED.key) == {"a", "b"}
        assert [i.item_key for i in store.items(FEED.key)] == ["a", "b"]
        assert store.feed_states()[FEED.key].item_count == 2


def test_errors_count_up_and_success_resets(tmp_path: Path) -> None:
    with Store(tmp_path / "state.db") as store:
        store.sync_feeds([FEED])
        for at in (1.0, 2.0):
            store.record_fetch(FEED.key, FetchOutcome("error", at=at, error_kind="timeout",
                                                      error_message="slow", next_attempt_at=at + 60))  # fmt: skip
        state = store.feed_states()[FEED.key]
        assert (state.failures, state.error_kind, state.next_attempt_at) == (2, "timeout", 62.0)
        store.record_fetch(FEED.key, FetchOutcome("not_modified", at=3.0))
        state = store.feed_states()[FEED.key]
        assert (state.failures, state.error_kind, state.next_attempt_at) == (0, None, None)


def test_a_moved_feed_forgets_its_validators(tmp_path: Path) -> None:
    with Store(tmp_path / "state.db") as store:
        store.sync_feeds([FEED])
        store.record_fetch(FEED.key, FetchOutcome("ok", at=1.0, etag='"e"', last_modified="x"))
        store.sync_feeds([FEED])
        assert store.feed_states()[FEED.key].etag == '"e"'
        moved = FeedConfig(FEED.group, FEED.site, FEED.name, "http://mirror.test/feed")
        store.sync_feeds([moved])
        state = store.feed_states()[FEED.key]
        assert (state.url, state.etag, state.last_modified) == (moved.url, None, None)


def test_only_one_process_holds_the_state(tmp_path: Path) -> None:
    with Store(tmp_path / "state.db") as first:
        first.lock()
        # flock is per open file: a second Store in this process competes like another process
        with Store(tmp_path / "state.db") as second, pytest.raises(StoreLocked):
            second.lock()
    with Store(tmp_path / "state.db") as third:
        third.lock()


def test_a_version_1_state_is_migrated_without_losing_items(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with sqlite3.connect(path) as db:  # the schema as the first release wrote it
        for statement in MIGRATIONS[0].split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO feeds (key, grp, site, name, url) VALUES ('k', 'g', 's', 'f', 'u')")
        db.execute(
            "INSERT INTO items (feed_key, item_key, post_id, title, content, first_seen_at)"
            " VALUES ('k', 'guid:1', 'p1', 't', '<p>x</p>', 1.0)"
        )
    with Store(path) as store:
        assert store.schema_version == len(MIGRATIONS) >= 2
        (old,) = store.items("k")
        assert (old.item_key, old.dropped) == ("guid:1", None)
