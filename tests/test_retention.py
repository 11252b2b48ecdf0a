"""Retention: old posts go, the newest N per feed stay, and what went never comes back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import posts_in, run_cli, state_location, write_config
from rsspress.config import RetentionConfig
from rsspress.retention import expired
from rsspress.store import PostedItem, Store

NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def feed_with_ages(days_old: list[int], name: str = "f") -> bytes:
    items = "".join(
        f"<item><title>{name} {d} 天前</title><guid>{name}-{d}</guid>"
        f"<pubDate>{(NOW - dt.timedelta(days=d)).strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate>"
        f"<description>正文</description></item>"
        for d in days_old
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>{items}</channel></rss>'.encode()


def test_expired_by_age_and_by_count() -> None:
    def item(n: int, feed: str, days: int) -> PostedItem:
        return PostedItem(n, feed, f"p{n}", (NOW - dt.timedelta(days=days)).isoformat(), 0.0)

    items = [item(1, "a", 1), item(2, "a", 5), item(3, "a", 40), item(4, "b", 2), item(5, "b", 3)]
    now = NOW.timestamp()
    assert [i.id for i in expired(items, RetentionConfig(days=30), now)] == [3]
    assert [i.id for i in expired(items, RetentionConfig(per_feed=1), now)] == [2, 3, 5]
    assert [i.id for i in expired(items, RetentionConfig(), now)] == []
    undated = PostedItem(6, "c", "p6", "", now - 50 * 86400)  # no date: when first seen
    assert [i.id for i in expired([undated], RetentionConfig(days=30), now)] == [6]


def test_run_removes_old_posts_and_they_never_come_back(tmp_path: Path, state: str) -> None:
    (tmp_path / "a.xml").write_bytes(feed_with_ages([1, 10, 100, 400], "a"))
    (tmp_path / "b.xml").write_bytes(feed_with_ages([2, 3, 4], "b"))
    feeds = "g:\n  s:\n    a: a.xml\n    b: b.xml\n"
    write_config(tmp_path, feeds, extra="retention: {days: 30, per_feed: 2}\n", state=state)

    first = run_cli("run", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "7 posts written" in first.stdout and "3 old posts removed" in first.stdout
    titles = sorted(
        p.read_text("utf-8").split("title: '")[1].split("'")[0] for p in posts_in(tmp_path)
    )
    assert titles == ["a 1 天前", "a 10 天前", "b 2 天前", "b 3 天前"]
    # The feeds change, so they are fetched and parsed again: the pruned items stay gone.
    (tmp_path / "a.xml").write_bytes(feed_with_ages([1, 10, 100, 400], "a") + b"\n")
    write_config(tmp_path, feeds, state=state)  # and no retention any more
    again = run_cli("run", "--force", cwd=tmp_path)
    assert "0 posts written" in again.stdout
    assert len(posts_in(tmp_path)) == 4
    with Store(state_location(tmp_path, state)) as store:
        sql = "SELECT COUNT(*) FROM items WHERE pruned_at IS NOT NULL"
        pruned = store.db.execute(sql).fetchone()[0]
    assert pruned == 3
