"""One update of the mirror: retrieve → parse → decide → write posts → store.

Feeds are fetched concurrently; each result is handled as soon as it arrives,
and each feed ends in its own transaction, so a failure, a hostile item or a
killed process never touches another feed's posts or state.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rsspress.config import Config, FeedConfig
from rsspress.content import prepare_body
from rsspress.decide import new_items, placeholder_number, post_id
from rsspress.fetch import FetchError, FetchRequest, FetchResult, fetch_all
from rsspress.parse import ParseError, parse_feed
from rsspress.publish import remove_stale_temp_files, write_atomic
from rsspress.publish.hexo import HexoPost, post_filename, render_post
from rsspress.store import FeedState, FetchOutcome, ItemRecord, Store


@dataclass(frozen=True)
class FeedReport:
    """How one feed's update went."""

    feed: FeedConfig
    outcome: str  # ok | not_modified | error
    posts_written: int = 0
    error: FetchError | None = None


@dataclass
class RunSummary:
    feeds_total: int = 0
    skipped: int = 0  # not due yet (backing off after errors)
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    posts_written: int = 0
    failures: list[FeedReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


ProgressCallback = Callable[[FeedReport], None]


def run_update(
    config: Config,
    *,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_feed: ProgressCallback | None = None,
    clock: Callable[[], float] = time.time,
) -> RunSummary:
    """Fetch the due feeds and publish their new items. Raises StoreLocked if busy."""
    store = Store(config.state)
    try:
        store.lock()
        store.sync_feeds(config.feeds)
        config.output.dir.mkdir(parents=True, exist_ok=True)
        remove_stale_temp_files(config.output.dir)
        states = store.feed_states()
        now = clock()
        due = [f for f in config.feeds if force or is_due(states[f.key], now)]
        summary = RunSummary(feeds_total=len(config.feeds), skipped=len(config.feeds) - len(due))
        if on_start is not None:
            on_start(len(due))
        asyncio.run(_update(config, store, states, due, summary, on_feed, clock))
        return summary
    finally:
        store.close()


def is_due(state: FeedState, now: float) -> bool:
    return state.next_attempt_at is None or state.next_attempt_at <= now


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with ±20 % jitter: base, 2·base, 4·base … up to cap."""
    delay = min(cap, base * 2.0 ** max(0, failures - 1))
    return delay * rng.uniform(0.8, 1.2)


async def _update(
    config: Config,
    store: Store,
    states: dict[str, FeedState],
    due: list[FeedConfig],
    summary: RunSummary,
    on_feed: ProgressCallback | None,
    clock: Callable[[], float],
) -> None:
    feeds = {f.key: f for f in due}
    requests = [
        FetchRequest(f.key, f.url, states[f.key].etag, states[f.key].last_modified) for f in due
    ]
    rng = random.Random()
    async for result in fetch_all(requests, config.fetch):
        feed = feeds[result.request.key]
        report = handle_result(config, store, states[feed.key], feed, result, clock(), rng)
        if report.outcome == "ok":
            summary.fetched += 1
        elif report.outcome == "not_modified":
            summary.not_modified += 1
        else:
            summary.failed += 1
            summary.failures.append(report)
        summary.posts_written += report.posts_written
        if on_feed is not None:
            on_feed(report)


def handle_result(
    config: Config,
    store: Store,
    state: FeedState,
    feed: FeedConfig,
    result: FetchResult,
    now: float,
    rng: random.Random,
) -> FeedReport:
    """Turn one fetch into posts and state. Every failure ends as a recorded error."""

    def failed(error: FetchError) -> FeedReport:
        delay = backoff_delay(
            state.failures + 1, config.fetch.retry_base, config.fetch.retry_max, rng
        )
        if error.retry_after is not None:
            delay = max(delay, min(error.retry_after, config.fetch.retry_max))
        store.record_fetch(
            feed.key,
            FetchOutcome(
                "error",
                at=now,
                error_kind=error.kind,
                error_message=error.message,
                next_attempt_at=now + delay,
            ),
        )
        return FeedReport(feed, "error", error=error)

    if result.outcome == "error":
        assert result.error is not None
        return failed(result.error)
    if result.outcome == "not_modified":
        store.record_fetch(feed.key, FetchOutcome("not_modified", at=now))
        return FeedReport(feed, "not_modified")
    assert result.body is not None
    try:
        parsed = parse_feed(result.body, feed.url)
    except ParseError as exc:
        return failed(FetchError("parse", f"not a feed: {exc}"))

    fresh = new_items(parsed.items, store.known_item_keys(feed.key))
    records: list[ItemRecord] = []
    first_seen = dt.datetime.fromtimestamp(now, dt.UTC)
    for key, item in fresh:
        pid = post_id(feed.key, key)
        body = prepare_body(
            item.content_html,
            base_url=item.link or parsed.link or feed.url,
            images=config.images,
            profile=config.output.profile,
            placeholder_n=placeholder_number(pid),
        )
        text = render_post(
            HexoPost(
                title=item.title,
                categories=feed.categories,
                author=feed.site,
                date_text=item.date_text,
                date=item.date,
                fallback_date=first_seen,
                cover=body.cover,
                body=body.html,
            ),
            config.output.profile,
        )
        filename = post_filename(pid)
        write_atomic(config.output.dir / filename, text)
        records.append(
            ItemRecord(
                item_key=key,
                post_id=pid,
                guid=item.guid,
                link=item.link,
                title=item.title,
                date=item.date.isoformat() if item.date else None,
                date_text=item.date_text,
                author=item.author,
                content=item.content_html,
                filename=filename,
                first_seen_at=now,
                published_at=now,
            )
        )
    store.record_items(
        feed.key,
        records,
        FetchOutcome("ok", at=now, etag=result.etag, last_modified=result.last_modified),
    )
    return FeedReport(feed, "ok", posts_written=len(records))
