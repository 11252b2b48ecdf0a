"""decide, the pure stage: what one fetch records, when the feed is due again, pauses, death."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from rsspress.config import FeedConfig, parse_config
from rsspress.fetch import FetchError, FetchRequest, FetchResult
from rsspress.model import FeedState, ItemRecord, ItemState, Outcome
from rsspress.new_items import LeftOut
from rsspress.update import BuildError, FeedWritten, decide

NOW = 1_700_000_000.0
HOUR, DAY = 3600.0, 86400.0
CONFIG = parse_config(
    "output: {dir: posts, format: hexo}\nstate: state.db\n"
    "fetch: {retry_base: 60, retry_max: 3600}\n"
    "daemon: {min_interval: 5m, max_interval: 1d, dead_after: 7d}\n"
    "feeds:\n  g:\n    s:\n      f: https://one.example/f.xml\n",
    Path("/nonexistent/rsspress.yaml"),
)
FEED = CONFIG.feeds[0]
ROUTE_FEED = replace(FEED, route=object())  # type: ignore[arg-type]  # only "is a route" matters
STATE = FeedState(FEED.key, "g", "s", "f", FEED.url, None, None, None, None, None, None, None, 0,
                  None)  # fmt: skip


def record(n: int, state: ItemState = ItemState.PUBLISHED) -> ItemRecord:
    return ItemRecord(f"guid:{n}", f"p{n}", str(n), None, "t", None, None, None, "", state,
                      NOW, NOW)  # fmt: skip


def result(outcome: Outcome, **kw: object) -> FetchResult:
    return FetchResult(FetchRequest(FEED.key, FEED.url), outcome, **kw)  # type: ignore[arg-type]


def error(status: int | None, retry_after: float | None = None, kind: str = "http") -> FetchResult:
    return result(Outcome.ERROR, error=FetchError(kind, f"HTTP {status}", status, retry_after))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    result: FetchResult
    written: FeedWritten | None = None
    state: FeedState = STATE
    feed: FeedConfig = FEED
    times: tuple[float, ...] = ()
    # expected
    outcome: Outcome = Outcome.OK
    retry: tuple[float, float] | None = None  # next attempt within, seconds from now
    poll: float | None = None  # next poll, seconds from now
    paused: float | None = None  # host paused until, at least, seconds from now
    dead: str | None = None  # in the dead reason
    items: int = 0
    filtered: int = 0


CASES = {
    "new items": Case(
        result(Outcome.OK, body=b"<rss/>", etag='"e"'),
        FeedWritten(records=(record(1), record(2), record(3, ItemState.DROPPED))),
        items=3,
        filtered=1,
        poll=300,
    ),
    "hourly items: polled hourly": Case(
        result(Outcome.OK, body=b"<rss/>"),
        FeedWritten(),
        times=tuple(NOW - n * HOUR for n in range(1, 6)),
        poll=HOUR,
    ),
    "the feed's ttl is a floor": Case(
        result(Outcome.OK, body=b"<rss><ttl>180</ttl></rss>"),
        FeedWritten(),
        times=tuple(NOW - n * HOUR for n in range(1, 6)),
        poll=3 * HOUR,
    ),
    "damaged: polled again soon": Case(
        result(Outcome.OK, body=b"<rss/>"),
        FeedWritten(left_out=LeftOut(damage="line 1")),
        poll=300,
    ),
    "304": Case(result(Outcome.NOT_MODIFIED), outcome=Outcome.NOT_MODIFIED, poll=DAY),
    "lease ended: nothing built": Case(
        result(Outcome.OK, body=b"<rss/>"), None, outcome=Outcome.NOT_MODIFIED, poll=DAY
    ),
    "500 backs off": Case(error(500), outcome=Outcome.ERROR, retry=(48, 72)),
    "third failure backs off 4x": Case(
        error(500),
        state=replace(STATE, failures=2, first_failure_at=NOW - HOUR),
        outcome=Outcome.ERROR,
        retry=(192, 288),
    ),
    "503 alone: this feed only": Case(error(503), outcome=Outcome.ERROR, retry=(48, 72)),
    "429 pauses the host": Case(
        error(429, retry_after=1800), outcome=Outcome.ERROR, retry=(1800, 1800), paused=1800
    ),
    "503 with Retry-After pauses the host": Case(
        error(503, retry_after=600), outcome=Outcome.ERROR, retry=(600, 600), paused=600
    ),
    "an RSSHub route pauses its instances itself": Case(
        error(429, retry_after=1800),
        feed=ROUTE_FEED,
        outcome=Outcome.ERROR,
        retry=(1800, 1800),
    ),
    "410 is dead": Case(error(410), outcome=Outcome.ERROR, retry=(48, 72), dead="410"),
    "failing for a week is dead": Case(
        error(500),
        state=replace(STATE, failures=40, first_failure_at=NOW - 8 * DAY),
        outcome=Outcome.ERROR,
        retry=(2880, 4320),
        dead="days",
    ),
    "no such route twice is dead": Case(
        error(404, kind="no_route"),
        state=replace(STATE, failures=1, error_kind="no_route", first_failure_at=NOW - HOUR),
        outcome=Outcome.ERROR,
        retry=(96, 144),
        dead="no such route",
    ),
    "not a feed: backs off, no pause": Case(
        result(Outcome.OK, body=b"<html/>"),
        FeedWritten(error=BuildError("parse", "not a feed")),
        outcome=Outcome.ERROR,
        retry=(48, 72),
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_decide(case: Case) -> None:
    decision = decide(case.state, case.feed, case.result, case.written, case.times,
                      CONFIG.fetch, CONFIG.daemon, NOW, random.Random(7))  # fmt: skip
    got = decision.outcome
    assert got.outcome is case.outcome and got.at == NOW
    if case.retry is None:
        assert got.next_attempt_at is None and decision.error is None
    else:
        low, high = case.retry
        assert got.next_attempt_at is not None
        assert NOW + low <= got.next_attempt_at <= NOW + high
        assert decision.error is not None and got.error_kind == decision.error.kind
    if case.poll is not None:
        assert got.next_poll_at == pytest.approx(NOW + case.poll)
    if case.paused is None:
        assert decision.pause is None
    else:
        assert decision.pause is not None and decision.pause.host == "one.example"
        assert decision.pause.not_before >= NOW + case.paused
    if case.dead is None:
        assert got.dead_reason is None
    else:
        assert got.dead_reason is not None and case.dead in got.dead_reason
    assert len(decision.items) == case.items and decision.filtered == case.filtered


def test_an_ok_fetch_keeps_its_validators_and_what_was_left_out() -> None:
    written = FeedWritten(left_out=LeftOut(held_back=2, deferred=3), unreadable_dates=1)
    ok = result(Outcome.OK, body=b"<rss/>", etag='"e"', last_modified="Mon")
    decision = decide(STATE, FEED, ok, written, (), CONFIG.fetch, CONFIG.daemon, NOW,
                      random.Random(1))  # fmt: skip
    got = decision.outcome
    assert (got.etag, got.last_modified) == ('"e"', "Mon")
    assert (got.held_back, got.deferred, got.unreadable_dates) == (2, 3, 1)
    assert got.incomplete and decision.left_out == written.left_out
