"""Several `rsspress daemon` workers on one state share one mirror.

Three real daemons work through corpus S over real HTTP on PostgreSQL; one is
killed with SIGKILL while it holds feeds. Every feed is fetched, every item
is published exactly once, and no feed is fetched twice, except that a feed
the killed worker held may be fetched once more by the worker that takes it
over. The lease rules themselves are checked on both backends.
"""

from __future__ import annotations

import collections
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import start_daemon, state_for, state_location, wait_for
from corpus import corpus_feeds, corpus_item_count, feeds_yaml
from rsspress.config import FeedConfig
from rsspress.machine import HOST, local_process_gone
from rsspress.model import ItemState, Outcome
from rsspress.publish.hexo import post_filename
from rsspress.store import FetchOutcome, ItemRecord, LeaseLost, Store

FEEDS = [FeedConfig("g", "s", f"feed{n}", f"http://127.0.0.1:9/{n}") for n in range(5)]


def item(key: str) -> ItemRecord:
    return ItemRecord(
        item_key=key, post_id=f"{key:0>16}", guid=key, link=None, title=key, date=None,
        date_text=None, author=None, content="<p>x</p>", state=ItemState.PUBLISHED,
        first_seen_at=1.0, published_at=1.0,
    )  # fmt: skip


def test_workers_take_disjoint_feeds_and_a_lapsed_lease_passes_on(
    tmp_path: Path, state: str
) -> None:
    location = state_location(tmp_path, state)
    with Store(location) as first, Store(location) as second:
        first.sync_feeds(FEEDS)
        mine = first.claim_feeds(100.0, limit=3, lease=60)
        theirs = second.claim_feeds(100.0, limit=10, lease=60)
        assert len(mine) == 3 and len(theirs) == 2
        assert {s.key for s in mine}.isdisjoint(s.key for s in theirs)
        assert all(s.lease_owner == first.owner and s.lease_until == 160.0 for s in mine)
        assert second.claim_feeds(120.0, limit=10, lease=60) == []  # all taken
        assert first.count_due(120.0) == 0

        # Both stall past their leases: the second takes every feed again ...
        taken = second.claim_feeds(161.0, limit=10, lease=60)
        assert {s.key for s in taken} == {f.key for f in FEEDS}
        # ... and the first can no longer record them, items or not.
        stale = mine[0].key
        with pytest.raises(LeaseLost):
            first.record_fetch(stale, FetchOutcome(Outcome.OK, at=170.0), [item("a")])
        with pytest.raises(LeaseLost):
            first.record_fetch(stale, FetchOutcome(Outcome.ERROR, at=170.0, error_kind="http"))
        assert (
            second.record_fetch(stale, FetchOutcome(Outcome.OK, at=171.0), [item("a"), item("b")])
            == 2
        )
        assert [i.item_key for i in second.items(stale)] == ["a", "b"]
        state_after = second.feed_states()[stale]
        assert state_after.lease_owner is None and state_after.last_outcome == "ok"


def test_an_item_is_published_once_whoever_records_it(tmp_path: Path, state: str) -> None:
    location = state_location(tmp_path, state)
    with Store(location) as first, Store(location) as second:
        first.sync_feeds(FEEDS)
        key = FEEDS[0].key
        # Neither holds a lease (a lease is not what makes this safe): the unique key does.
        assert (
            first.record_fetch(key, FetchOutcome(Outcome.OK, at=1.0), [item("a"), item("b")]) == 2
        )
        assert (
            second.record_fetch(key, FetchOutcome(Outcome.OK, at=2.0), [item("b"), item("c")]) == 1
        )
        assert sorted(i.item_key for i in first.items(key)) == ["a", "b", "c"]


def test_a_run_takes_each_feed_once_and_leaves_no_lease(tmp_path: Path, state: str) -> None:
    location = state_location(tmp_path, state)
    with Store(location) as store:
        store.sync_feeds(FEEDS)
        seen: list[str] = []
        while claimed := store.claim_feeds(50.0, limit=2, lease=60, force=True, since=50.0):
            for s in claimed:
                seen.append(s.key)
                store.record_fetch(s.key, FetchOutcome(Outcome.NOT_MODIFIED, at=50.0))
        assert sorted(seen) == sorted(f.key for f in FEEDS)
        assert all(s.lease_owner is None for s in store.feed_states().values())
        # A feed the config no longer lists is kept but never taken.
        store.sync_feeds(FEEDS[1:])
        assert FEEDS[0].key not in {
            s.key for s in store.claim_feeds(99.0, limit=9, lease=1, force=True)
        }


class _LoggingHandler(SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()


@contextmanager
def serve_logged(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` on 127.0.0.1 and log the path of every GET."""
    requests: list[str] = []
    handler = type("Handler", (_LoggingHandler,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_three_workers_share_corpus_s_and_survive_a_sigkill(tmp_path: Path, corpus_s: Path) -> None:
    expected_items = corpus_item_count(corpus_s)
    feed_paths = {f"/{feed['path']}" for feed in corpus_feeds(corpus_s)}
    with state_for("postgresql") as state, serve_logged(corpus_s) as (base, requests):
        (tmp_path / "rsspress.yaml").write_text(
            "output: {dir: posts, format: hexo}\n"
            f'state: "{state}"\n'
            "daemon:\n"
            "  min_interval: 1h\n"  # each feed once in this test: a second fetch is a bug
            "  publish_every: 1h\n"
            "  metrics_listen: null\n"
            "  lease: 10s\n"  # the killed worker's feeds come back after this
            "  claim: 4\n"  # small batches, so that all three workers take part
            "feeds:\n" + "\n".join(f"  {line}" for line in feeds_yaml(corpus_s, base).splitlines()),
            encoding="utf-8",
        )
        workers = [start_daemon(tmp_path, tmp_path / f"daemon-{n}.log") for n in range(3)]
        victim = workers[0]
        with Store(state) as store:
            try:

                def holding(pid: int) -> list[str]:
                    rows = store.db.execute(
                        "SELECT key FROM feeds WHERE lease_owner LIKE ?", (f"%:{pid}:%",)
                    )
                    return [row[0] for row in rows]

                def published() -> int:
                    return int(store.db.execute("SELECT COUNT(*) FROM items").fetchone()[0])

                # Mid-run: some items are out, and the victim holds feeds right now.
                wait_for(lambda: published() > 0 and bool(holding(victim.pid)), "work", 120)
                # Frozen first, so that what it holds can be read before it dies: the
                # survivors free a dead local worker's leases as soon as they see it gone.
                victim.send_signal(signal.SIGSTOP)
                killed_with = set(holding(victim.pid))
                victim.send_signal(signal.SIGKILL)
                victim.wait(timeout=30)
                assert killed_with, "the victim held no feed when it died"

                def all_fetched() -> bool:
                    row = store.db.execute(
                        "SELECT COUNT(*) FROM feeds WHERE last_outcome = 'ok'"
                    ).fetchone()
                    return int(row[0]) == len(feed_paths)

                wait_for(all_fetched, "every feed fetched, the victim's taken over", 180)
                for worker in workers[1:]:
                    assert worker.poll() is None, "a surviving worker died"
                    worker.send_signal(signal.SIGTERM)
                for worker in workers[1:]:
                    assert worker.wait(timeout=60) == 0
                rows = store.db.execute(
                    "SELECT post_id, feed_key FROM items WHERE state = 'published'"
                ).fetchall()
                leases = store.db.execute(
                    "SELECT COUNT(*) FROM feeds WHERE lease_owner IS NOT NULL"
                ).fetchone()[0]
                urls = dict(store.db.execute("SELECT key, url FROM feeds").fetchall())
            finally:
                for worker in workers:
                    if worker.poll() is None:
                        worker.kill()
                        worker.wait()

    # Every item published exactly once: one row each, one post file each.
    assert len(rows) == expected_items
    assert len({post_id for post_id, _ in rows}) == expected_items
    posts = sorted(p.name for p in (tmp_path / "posts").glob("*.md"))
    assert posts == sorted(post_filename(post_id) for post_id, _ in rows)
    assert leases == 0

    # Every feed fetched; only the victim's feeds a second time, by their new owner.
    fetches = collections.Counter(path for path in requests if path in feed_paths)
    assert set(fetches) == feed_paths
    victim_paths = {re.sub(r"^https?://[^/]+", "", urls[key]) for key in killed_with}
    twice = {path for path, n in fetches.items() if n > 1}
    assert twice <= victim_paths, f"fetched twice, not the victim's: {twice - victim_paths}"
    assert max(fetches.values()) <= 2

    # The survivors did the victim's work: its feeds' items are all there.
    victim_feeds_items = collections.Counter(key for _, key in rows if key in killed_with)
    assert set(victim_feeds_items) == killed_with
    logs = "".join((tmp_path / f"daemon-{n}.log").read_text("utf-8") for n in (1, 2))
    assert "Traceback" not in logs


def test_an_ended_local_process_is_told_apart_from_a_live_or_remote_one() -> None:
    sleeper = subprocess.Popen(["sleep", "30"])
    ended = subprocess.Popen(["true"])
    try:
        # Not reaped yet: a zombie, which is what an orphan stays where init never reaps.
        wait_for(lambda: Path(f"/proc/{ended.pid}/stat").read_text().split()[2] == "Z",
                 "a zombie", 10)  # fmt: skip
        assert local_process_gone(HOST, ended.pid)
        assert not local_process_gone(HOST, sleeper.pid)
        assert not local_process_gone(f"not-{HOST}", ended.pid)  # another machine's: unknown
        ended.wait()
        assert local_process_gone(HOST, ended.pid)
    finally:
        sleeper.kill()
        sleeper.wait()
