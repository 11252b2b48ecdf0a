"""Decide: what one fetch changes in the state. Pure: values in, a :class:`Decision` out.

From the feed's state, the fetch's result and what was written, it decides what to
record (the outcome, the items whose posts are on disk, the article pages), when the
feed is polled or tried again, whether its host is paused and whether it is dead. The
clock and the random jitter are the caller's.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from rsspress.config import DaemonConfig, FeedConfig, FetchConfig
from rsspress.dates import item_when
from rsspress.fetch import FetchError, FetchResult
from rsspress.model import (
    FeedState,
    FetchOutcome,
    HostPause,
    ItemRecord,
    ItemState,
    Outcome,
    PageRecord,
)
from rsspress.new_items import LeftOut
from rsspress.rsshub.answers import route_death
from rsspress.schedule import death, feed_ttl, next_poll_at, pauses_host, retry_at
from rsspress.update.build import FeedWritten
from rsspress.update.report import FeedError
from rsspress.urls import url_host


@dataclass(frozen=True)
class Decision:
    """What to record of one fetch, in one transaction (rsspress.update.apply)."""

    outcome: FetchOutcome
    items: tuple[ItemRecord, ...] = ()  # published (their posts are on disk) or dropped
    pages: tuple[PageRecord, ...] = ()
    pause: HostPause | None = None  # the feed's host asked everyone to wait
    error: FeedError | None = None
    filtered: int = 0  # of the items, those a filter dropped
    left_out: LeftOut = field(default_factory=LeftOut)


def failure_of(result: FetchResult, written: FeedWritten | None) -> FeedError | None:
    """Why the feed failed this time: its fetch, or building what came; None if it did not."""
    if result.outcome is Outcome.ERROR:
        return result.error
    return written.error if written is not None else None


def decide(
    state: FeedState,
    feed: FeedConfig,
    result: FetchResult,
    written: FeedWritten | None,
    item_times: Sequence[float],
    fetch: FetchConfig,
    daemon: DaemonConfig,
    now: float,
    rng: random.Random,
) -> Decision:
    """What to record of a fetch. ``written`` is what the build wrote (None: nothing was
    built); ``item_times`` are the feed's recorded items' times (rsspress.schedule)."""
    error = failure_of(result, written)
    if error is not None:
        return _failed(state, feed, error, fetch, daemon, now, rng)
    times = list(item_times)
    if written is not None:
        times += [item_when(r.date, r.first_seen_at).timestamp() for r in written.records]
    next_poll = next_poll_at(
        now,
        times,
        daemon,
        ttl=feed_ttl(result.body) if result.body else None,
        fresh_for=result.fresh_for,
    )
    if result.outcome is Outcome.NOT_MODIFIED or written is None:
        return Decision(FetchOutcome(Outcome.NOT_MODIFIED, at=now, next_poll_at=next_poll))
    left_out = written.left_out
    if left_out.damage is not None or left_out.deferred:  # what waits comes with the next poll
        next_poll = min(next_poll, now + daemon.min_interval)
    outcome = FetchOutcome(
        Outcome.OK,
        at=now,
        etag=result.etag,
        last_modified=result.last_modified,
        next_poll_at=next_poll,
        malformed=left_out.damage,
        held_back=left_out.held_back,
        deferred=left_out.deferred,
        unreadable_dates=written.unreadable_dates,
    )
    return Decision(
        outcome,
        items=written.records,
        pages=written.pages,
        filtered=sum(1 for record in written.records if record.state is ItemState.DROPPED),
        left_out=left_out,
    )


def _failed(
    state: FeedState,
    feed: FeedConfig,
    error: FeedError,
    fetch: FetchConfig,
    daemon: DaemonConfig,
    now: float,
    rng: random.Random,
) -> Decision:
    """A failure backs the feed off; a 429 (or 503 with Retry-After) pauses its host; a 410,
    failing too long or an RSSHub route that does not exist makes it dead."""
    status, retry_after = (
        (error.status, error.retry_after) if isinstance(error, FetchError) else (None, None)
    )
    failures = state.failures + 1
    next_attempt = retry_at(now, failures, fetch.retry_base, fetch.retry_max, rng, retry_after)
    pause = None
    host = url_host(feed.url)  # an RSSHub route's instances are paused one by one (rsshub)
    if host and feed.route is None and pauses_host(status, retry_after):
        pause = HostPause(host, next_attempt, f"{feed.label}: {error.message}")
    dead_reason = death(status, state.first_failure_at or now, now, daemon)
    dead_reason = dead_reason or route_death(error.kind, state.error_kind, state.failures)
    outcome = FetchOutcome(
        Outcome.ERROR,
        at=now,
        error_kind=error.kind,
        error_message=error.message,
        next_attempt_at=next_attempt,
        dead_reason=dead_reason,
    )
    return Decision(outcome, pause=pause, error=error)
