"""The update with a fake store and a fake fetcher: claim → fetch → build → decide → apply."""

from __future__ import annotations

import asyncio
import gc
import logging
from pathlib import Path

import pytest

from fakes import FakeFetcher, FakeStore, document, http_error
from feeds import rss
from rsspress.config import Config, parse_config
from rsspress.model import Outcome
from rsspress.store import Store
from rsspress.update import Claim, FeedReport, RunSummary, run_update, update_feeds

NOW = 1_700_000_000.0
A, B = "https://one.example/a.xml", "https://one.example/b.xml"  # one host


def config_for(tmp_path: Path, *urls: str) -> Config:
    feeds = "".join(f"      f{n}: {url}\n" for n, url in enumerate(urls))
    text = (
        "output: {dir: posts, format: hexo}\nstate: state.db\n"
        "fetch: {retry_base: 60, retry_max: 3600}\n"
        f"feeds:\n  g:\n    s:\n{feeds}"
    )
    config = parse_config(text, tmp_path / "rsspress.yaml")
    for out in config.post_outputs:
        out.dir.mkdir(parents=True, exist_ok=True)
    return config


def update(
    config: Config, store: FakeStore, fetcher: FakeFetcher, now: float = NOW
) -> tuple[RunSummary, list[FeedReport]]:
    """One run at ``now``, as rsspress.update.run_update runs it."""
    store.sync_feeds(config.feeds)
    summary, reports = RunSummary(feeds_total=len(config.feeds)), list[FeedReport]()
    claim = Claim(force=False, scheduled=False, since=now)
    asyncio.run(update_feeds(config, store, fetcher, claim, summary, clock=lambda: now,
                             on_feed=reports.append))  # fmt: skip
    return summary, reports


def posts(config: Config) -> list[Path]:
    return sorted(config.post_outputs[0].dir.glob("*.md"))


def test_new_items_are_published_once(tmp_path: Path) -> None:
    config, store = config_for(tmp_path, A), FakeStore()
    fetcher = FakeFetcher({A: document(rss("a", 3))})  # no validators: the whole feed each time
    first, _ = update(config, store, fetcher)
    assert (first.fetched, first.posts_written) == (1, 3)
    assert len(posts(config)) == 3
    fetcher.feeds[A] = document(rss("a", 4))
    second, _ = update(config, store, fetcher, NOW + 86400)
    assert (second.fetched, second.posts_written) == (1, 1)  # only the new one
    assert len(posts(config)) == 4
    key = config.feeds[0].key
    assert len(store.published(key)) == 4
    assert [outcome.outcome for _, outcome in store.records] == [Outcome.OK, Outcome.OK]


def test_a_304_records_not_modified_and_keeps_the_validators(tmp_path: Path) -> None:
    config, store = config_for(tmp_path, A), FakeStore()
    fetcher = FakeFetcher({A: document(rss("a", 2), etag='"v1"')})
    update(config, store, fetcher)
    summary, reports = update(config, store, fetcher, NOW + 86400)
    assert summary.not_modified == 1 and summary.posts_written == 0
    assert fetcher.requests[-1].etag == '"v1"'
    assert reports[0].outcome is Outcome.NOT_MODIFIED
    state = store.feed_states()[config.feeds[0].key]
    assert state.etag == '"v1"' and state.last_outcome is Outcome.NOT_MODIFIED


def test_an_error_backs_the_feed_off(tmp_path: Path) -> None:
    config, store = config_for(tmp_path, A), FakeStore()
    fetcher = FakeFetcher({A: http_error(500)})
    summary, reports = update(config, store, fetcher)
    assert summary.failed == 1 and reports[0].error is not None
    assert reports[0].error.kind == "http"
    state = store.feed_states()[config.feeds[0].key]
    assert state.failures == 1 and state.next_attempt_at is not None
    assert NOW + 0.8 * 60 <= state.next_attempt_at <= NOW + 1.2 * 60  # retry_base, jittered
    again, _ = update(config, store, fetcher, NOW + 30)  # still backing off: not fetched
    assert again.handled == 0 and len(fetcher.requests) == 1
    later, _ = update(config, store, fetcher, NOW + 3600)
    assert later.failed == 1 and store.feed_states()[config.feeds[0].key].failures == 2


def test_a_429_pauses_the_whole_host(tmp_path: Path) -> None:
    config, store = config_for(tmp_path, A, B), FakeStore()
    fetcher = FakeFetcher({A: http_error(429, retry_after=1800), B: document(rss("b", 1))})
    first, _ = update(config, store, fetcher)
    assert (first.failed, first.fetched) == (1, 1)
    assert store.pauses["one.example"].not_before >= NOW + 1800
    assert "HTTP 429" in store.pauses["one.example"].reason
    fetcher.feeds[B] = document(rss("b", 2))
    second, _ = update(config, store, fetcher, NOW + 600)  # the healthy feed waits too
    assert second.handled == 0 and len(fetcher.requests) == 2


def test_a_gone_feed_is_dead_and_never_fetched_again(tmp_path: Path) -> None:
    config, store = config_for(tmp_path, A), FakeStore()
    fetcher = FakeFetcher({A: http_error(410)})
    update(config, store, fetcher)
    state = store.feed_states()[config.feeds[0].key]
    assert state.dead_reason is not None and "410" in state.dead_reason
    later, _ = update(config, store, fetcher, NOW + 30 * 86400)
    assert later.handled == 0 and len(fetcher.requests) == 1


def test_a_feed_taken_over_by_another_worker_is_left_to_it(tmp_path: Path) -> None:
    config, store = config_for(tmp_path, A), FakeStore()
    key = config.feeds[0].key
    fetcher = FakeFetcher({A: document(rss("a", 2))}, on_fetch=lambda _: store.take_over(key))
    summary, reports = update(config, store, fetcher)
    assert reports == [] and summary.handled == 0  # the other worker records it
    assert store.records == [] and store.published(key) == []


def test_a_lease_that_ran_out_during_the_fetch_writes_no_post(tmp_path: Path) -> None:
    config, store = config_for(tmp_path, A), FakeStore()
    key, lease = config.feeds[0].key, config.daemon.lease
    now = [NOW]

    def slow_fetch(_: object) -> None:  # the fetch outlives our lease; another worker takes it
        now[0] = NOW + 2 * lease
        store.take_over(key, until=now[0] + lease)

    store.sync_feeds(config.feeds)
    summary = RunSummary(feeds_total=1)
    fetcher = FakeFetcher({A: document(rss("a", 2))}, on_fetch=slow_fetch)
    asyncio.run(update_feeds(config, store, fetcher, Claim(False, False, NOW), summary,
                             clock=lambda: now[0]))  # fmt: skip
    assert posts(config) == [] and store.records == [] and summary.handled == 0


def test_a_failure_to_record_fails_the_run_and_is_never_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config, store = config_for(tmp_path, A, B), FakeStore()
    store.sync_feeds(config.feeds)
    store.failing[config.feeds[0].key] = OSError(28, "No space left on device")
    fetcher = FakeFetcher({A: document(rss("a", 2)), B: document(rss("b", 1))})
    with caplog.at_level(logging.ERROR, logger="asyncio"), pytest.raises(OSError, match="space"):
        update(config, store, fetcher)
    gc.collect()  # a task whose exception nobody retrieved says so when it is collected
    assert "never retrieved" not in caplog.text


def test_a_real_state_that_refuses_the_items_fails_the_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The real run on a real SQLite state whose items table refuses every insert (as a
    full disk would): the build task's error reaches the caller, not the event loop's log."""
    (tmp_path / "a.xml").write_bytes(rss("a", 2))
    config = config_for(tmp_path, (tmp_path / "a.xml").as_uri())
    with Store(config.state) as store:
        store.db.execute(
            "CREATE TRIGGER full BEFORE INSERT ON items BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    with caplog.at_level(logging.ERROR, logger="asyncio"), pytest.raises(Exception, match="full"):
        run_update(config)
    gc.collect()
    assert "never retrieved" not in caplog.text
    with Store(config.state) as store:
        assert store.items() == []
