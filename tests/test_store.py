"""store: an SQLite file (WAL mode, migrated from the first version on) or a PostgreSQL schema."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from conftest import state_location
from rsspress.config import FeedConfig
from rsspress.model import HostPause, ItemState, Outcome
from rsspress.store import (
    MIGRATIONS,
    FetchOutcome,
    ItemRecord,
    LeaseLost,
    PageRecord,
    RetentionStore,
    SiteStore,
    StateError,
    Store,
    StoreLocked,
    UpdateStore,
)
from rsspress.store.backends import open_backend
from rsspress.store.migrations import migrate

FEED = FeedConfig("新媒体", "ZAKER", "channel", "http://example.test/feed")


def record(key: str) -> ItemRecord:
    return ItemRecord(
        item_key=key, post_id=key * 4, guid=key, link=None, title="t", date=None,
        date_text=None, author=None, content="<p>x</p>", state=ItemState.PUBLISHED,
        first_seen_at=1.0, published_at=1.0,
    )  # fmt: skip


def write_schema_version(location: Path | str, version: int) -> None:
    """Mark an empty state as written at ``version``, as that rsspress keeps its version."""
    if isinstance(location, Path):
        with sqlite3.connect(location) as db:
            db.execute(f"PRAGMA user_version = {version}")
        return
    import psycopg

    with psycopg.connect(location, autocommit=True) as db:
        db.execute("CREATE TABLE rsspress_schema (version INTEGER NOT NULL)")
        db.execute("INSERT INTO rsspress_schema (version) VALUES (%s)", (version,))


def test_a_new_state_is_migrated_and_reopening_migrates_nothing(tmp_path: Path, state: str) -> None:
    location = state_location(tmp_path, state)
    with Store(location) as store:
        assert store.schema_version == len(MIGRATIONS)
        store.sync_feeds([FEED])
    with Store(location) as store:  # reopening migrates nothing
        assert store.schema_version == len(MIGRATIONS)
        assert list(store.feed_states()) == [FEED.key]


def test_a_new_sqlite_state_is_in_wal_mode(tmp_path: Path) -> None:
    with Store(tmp_path / "state.db") as store:
        assert store.schema_version == len(MIGRATIONS)
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_state_from_a_newer_rsspress_is_refused(tmp_path: Path, state: str) -> None:
    location = state_location(tmp_path, state)
    write_schema_version(location, len(MIGRATIONS) + 1)
    with pytest.raises(StateError, match="newer rsspress"):
        Store(location)


def test_items_are_recorded_once(tmp_path: Path, state: str) -> None:
    with Store(state_location(tmp_path, state)) as store:
        store.sync_feeds([FEED])
        ok = FetchOutcome(Outcome.OK, at=1.0, etag='"e"')
        store.record_fetch(FEED.key, ok, [record("a"), record("b")])
        store.record_fetch(FEED.key, ok, [record("a")])
        assert store.known_item_keys(FEED.key) == {"a", "b"}
        assert [i.item_key for i in store.items(FEED.key)] == ["a", "b"]
        assert store.feed_states()[FEED.key].item_count == 2


def test_what_is_stored_reads_back_exactly(tmp_path: Path, state: str) -> None:
    at = 1764072000.123456  # a timestamp to the microsecond
    published = ItemRecord(
        item_key="guid:新闻-1", post_id="a1b2c3d4", guid="新闻-1", link="https://x.test/1?a=1&b=%20",
        title="标题 'quoted' \"double\" 100%", date="2026-11-25T20:00:00+08:00",
        date_text="Wed, 25 Nov 2026 20:00:00 +0800", author="编辑", content="<p>正文 ☃</p>",
        state=ItemState.PUBLISHED, first_seen_at=at, published_at=at + 0.5,
        body="<p>正文</p>", cover="https://x.test/c.jpg", summary="正文",
    )  # fmt: skip
    dropped = ItemRecord(
        item_key="guid:新闻-2", post_id="e5f6a7b8", guid="新闻-2", link=None, title="广告",
        date=None, date_text=None, author=None, content="<p>买</p>",
        state=ItemState.DROPPED, first_seen_at=at, published_at=None, drop_reason="drop: title 广告",
    )  # fmt: skip
    page = PageRecord("https://x.test/1", fetched_at=at, content="<p>全文</p>")
    outcome = FetchOutcome(
        Outcome.OK, at=at, etag='W/"e 1"', last_modified="Wed, 25 Nov 2026 12:00:00 GMT",
        next_poll_at=at + 3600.25,
    )  # fmt: skip
    location = state_location(tmp_path, state)
    with Store(location) as store:
        store.sync_feeds([FEED])
        pause = HostPause("x.test", at + 60.5, "HTTP 429")
        assert store.record_fetch(FEED.key, outcome, [published, dropped], [page], pause) == 1
    with Store(location) as store:
        assert store.items(FEED.key) == [published, dropped]
        assert store.pages() == [page]
        assert store.paused_hosts(at) == {"x.test": at + 60.5}
        feed = store.feed_states()[FEED.key]
        assert (feed.group, feed.site, feed.name, feed.url) == (
            FEED.group, FEED.site, FEED.name, FEED.url,
        )  # fmt: skip
        assert (feed.etag, feed.last_modified) == (outcome.etag, outcome.last_modified)
        assert (feed.last_fetch_at, feed.last_ok_at, feed.last_outcome) == (at, at, "ok")
        assert (feed.next_poll_at, feed.lease_owner, feed.item_count) == (at + 3600.25, None, 1)


def test_errors_count_up_and_success_resets(tmp_path: Path, state: str) -> None:
    with Store(state_location(tmp_path, state)) as store:
        store.sync_feeds([FEED])
        for at in (1.0, 2.0):
            store.record_fetch(FEED.key, FetchOutcome(Outcome.ERROR, at=at, error_kind="timeout",
                                                      error_message="slow", next_attempt_at=at + 60))  # fmt: skip
        feed = store.feed_states()[FEED.key]
        assert (feed.failures, feed.error_kind, feed.next_attempt_at) == (2, "timeout", 62.0)
        store.record_fetch(FEED.key, FetchOutcome(Outcome.NOT_MODIFIED, at=3.0))
        feed = store.feed_states()[FEED.key]
        assert (feed.failures, feed.error_kind, feed.next_attempt_at) == (0, None, None)


def test_a_moved_feed_forgets_its_validators(tmp_path: Path, state: str) -> None:
    with Store(state_location(tmp_path, state)) as store:
        store.sync_feeds([FEED])
        store.record_fetch(
            FEED.key, FetchOutcome(Outcome.OK, at=1.0, etag='"e"', last_modified="x")
        )
        store.sync_feeds([FEED])
        assert store.feed_states()[FEED.key].etag == '"e"'
        moved = FeedConfig(FEED.group, FEED.site, FEED.name, "http://mirror.test/feed")
        store.sync_feeds([moved])
        feed = store.feed_states()[FEED.key]
        assert (feed.url, feed.etag, feed.last_modified) == (moved.url, None, None)


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
        assert (old.item_key, old.drop_reason) == ("guid:1", None)


def test_a_version_6_state_gains_leases_without_losing_anything(tmp_path: Path, state: str) -> None:
    """The migrations story is the same on both backends: the last release's state upgrades."""
    location = state_location(tmp_path, state)
    backend = open_backend(location)
    migrate(backend, to=6)
    with backend.transaction():
        backend.execute(
            "INSERT INTO feeds (key, grp, site, name, url, last_ok_at) VALUES (?, ?, ?, ?, ?, ?)",
            (FEED.key, FEED.group, FEED.site, FEED.name, FEED.url, 5.0),
        )
        backend.execute(
            "INSERT INTO items (feed_key, item_key, post_id, title, content, filename,"
            " first_seen_at) VALUES (?, 'guid:1', 'p1', 't', '<p>x</p>', 'p1.md', 1.0)",
            (FEED.key,),
        )
    backend.close()
    with Store(location) as store:
        assert store.schema_version == len(MIGRATIONS) >= 7
        store.sync_feeds([FEED])
        old = store.feed_states()[FEED.key]
        assert (old.last_ok_at, old.item_count, old.lease_owner) == (5.0, 1, None)
        assert [s.key for s in store.claim_feeds(10.0, limit=5, lease=60, force=True)] == [FEED.key]


def test_a_version_10_state_says_each_items_state(tmp_path: Path, state: str) -> None:
    """Before version 11 an item's state was read off its columns: a post file name
    (published), a filter's reason (dropped), a prune time (pruned). Each keeps its state."""
    location = state_location(tmp_path, state)
    backend = open_backend(location)
    migrate(backend, to=10)
    with backend.transaction():
        backend.execute(
            "INSERT INTO feeds (key, grp, site, name, url) VALUES (?, ?, ?, ?, ?)",
            (FEED.key, FEED.group, FEED.site, FEED.name, FEED.url),
        )
        backend.executemany(
            "INSERT INTO items (feed_key, item_key, post_id, title, content, filename, dropped,"
            " pruned_at, first_seen_at) VALUES (?, ?, ?, 't', '<p>x</p>', ?, ?, ?, 1.0)",
            [
                (FEED.key, "guid:posted", "p1", "p1.md", None, None),
                (FEED.key, "guid:dropped", "p2", None, "drop: title 广告", None),
                (FEED.key, "guid:pruned", "p3", None, None, 9.0),
            ],
        )
    backend.close()
    with Store(location) as store:
        assert store.schema_version == len(MIGRATIONS) >= 11
        states = {item.item_key: (item.state, item.drop_reason) for item in store.items()}
        assert states == {
            "guid:posted": (ItemState.PUBLISHED, None),
            "guid:dropped": (ItemState.DROPPED, "drop: title 广告"),
            "guid:pruned": (ItemState.PRUNED, None),
        }
        assert [item.post_id for item in store.posted_items()] == ["p1"]
        assert [item.post_id for item in store.site_items()] == ["p1"]
        store.sync_feeds([FEED])
        assert store.feed_states()[FEED.key].item_count == 1


def test_the_store_is_each_protocol_the_stages_use(tmp_path: Path, state: str) -> None:
    """mypy checks these assignments: the real Store is what each stage asks of the state."""
    with Store(state_location(tmp_path, state)) as store:
        update: UpdateStore = store
        retention: RetentionStore = store
        site: SiteStore = store
        update.sync_feeds([FEED])
        assert update.count_due(1.0) == 1
        ok = FetchOutcome(Outcome.OK, at=1.0)
        assert update.record_fetch(FEED.key, ok, [record("a")]) == 1
        assert [i.post_id for i in retention.posted_items()] == ["aaaa"]
        assert [i.post_id for i in site.site_items()] == ["aaaa"]


def test_one_fetch_is_recorded_whole_or_not_at_all(tmp_path: Path, state: str) -> None:
    """The feed's row, its items, its pages and a host pause go in one transaction: a
    record that fails (a lost lease, an item the state refuses) leaves none of them."""
    import psycopg

    other = FeedConfig(FEED.group, FEED.site, "other", "http://other.test/feed")
    page = PageRecord("https://x.test/1", fetched_at=5.0, content="<p>全文</p>")
    pause = HostPause("x.test", 100.0, "HTTP 429")
    location = state_location(tmp_path, state)
    with Store(location) as first, Store(location) as second:
        first.sync_feeds([FEED, other])
        assert len(first.claim_feeds(1.0, limit=1, lease=10, force=True)) == 1
        (taken,) = second.claim_feeds(20.0, limit=1, lease=10, force=True)  # the lease lapsed
        with pytest.raises(LeaseLost):
            first.record_fetch(
                taken.key, FetchOutcome(Outcome.OK, at=21.0), [record("a")], [page], pause
            )
        # The item's post id is another feed's already: the last insert fails.
        second.record_fetch(other.key, FetchOutcome(Outcome.OK, at=21.0), [record("b")])
        clash = dataclasses.replace(record("c"), post_id=record("b").post_id)
        with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError)):
            second.record_fetch(
                taken.key, FetchOutcome(Outcome.OK, at=22.0), [record("a"), clash], [page], pause
            )
        assert second.items(taken.key) == []
        assert second.pages() == []
        assert second.paused_hosts(0.0) == {}
        feed = second.feed_states()[taken.key]
        assert (feed.last_fetch_at, feed.lease_owner) == (None, second.owner)

        # Whole, it is all there at once.
        assert (
            second.record_fetch(
                taken.key, FetchOutcome(Outcome.OK, at=23.0), [record("a")], [page], pause
            )
            == 1
        )
        assert [i.item_key for i in second.items(taken.key)] == ["a"]
        assert second.pages() == [page]
        assert second.paused_hosts(0.0) == {"x.test": 100.0}
        feed = second.feed_states()[taken.key]
        assert (feed.last_fetch_at, feed.lease_owner) == (23.0, None)
