"""One update of the mirror: retrieve → parse → decide → render → write → store.

Feeds are fetched concurrently and each result is handled as soon as it
arrives. The CPU-heavy middle (parse, decide, prepare HTML, render posts) is
one pure function, :func:`build_feed`; :func:`build_and_write` runs it and
writes the posts atomically, in worker processes when there are enough feeds
to keep two cores busy. This process alone writes the state, and records a
feed's items only once their posts are on disk. Each feed ends in its own
transaction, so a failure, a hostile item or a killed process never touches
another feed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import datetime as dt
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rsspress.config import (
    CleanupRule,
    Config,
    ContentConfig,
    FeedConfig,
    ImagesConfig,
    OutputConfig,
)
from rsspress.content import PreparedBody, prepare_body, summary_of
from rsspress.content.budget import affordable_body, bounded_item
from rsspress.content.filters import drop_reason
from rsspress.content.fulltext import extract_article
from rsspress.content.rules import rule_for
from rsspress.content.titles import readable_title
from rsspress.dates import item_when
from rsspress.decide import LeftOut, placeholder_number, post_id
from rsspress.exits import run_exit_code, still_failing
from rsspress.fetch import Fetcher, FetchError, FetchRequest, FetchResult
from rsspress.item_keys import KnownItems
from rsspress.model import FeedState, FetchOutcome, ItemRecord, ItemState, Outcome, PageRecord
from rsspress.parse import ParseError, parse_feed
from rsspress.publish import remove_stale_temp_files, write_atomic
from rsspress.publish.formats import post_file_name, render_post_text
from rsspress.publish.post import Post
from rsspress.publish.site import SiteReport, build_sites
from rsspress.retention import prune
from rsspress.rsshub.answers import route_death
from rsspress.rsshub.fetching import RouteFetcher
from rsspress.rsshub.items import new_items_of
from rsspress.rsshub.state import load_book, record_route
from rsspress.schedule import death, feed_ttl, next_poll_at, pauses_host, retry_at
from rsspress.store import LeaseLost, Store
from rsspress.urls import url_host, without_secrets
from rsspress.workers import start_worker_pool


@dataclass(frozen=True)
class FeedReport:
    """How one feed's update went."""

    feed: FeedConfig
    outcome: str  # ok | not_modified | error
    posts_written: int = 0
    error: FetchError | None = None
    filtered: int = 0  # new items a filter dropped
    elapsed: float = 0.0  # the fetch's seconds
    # A damaged document, items cut off or over the cap: published on later fetches.
    left_out: LeftOut = field(default_factory=LeftOut)


@dataclass
class RunSummary:
    feeds_total: int = 0
    skipped: int = 0  # not due yet (backing off after errors), or another worker's
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    posts_written: int = 0
    filtered: int = 0
    pruned: int = 0  # posts removed by the retention policy
    sites: list[SiteReport] = field(default_factory=list)  # the HTML sites built after the run
    failures: list[FeedReport] = field(default_factory=list)
    incomplete: list[FeedReport] = field(default_factory=list)  # fetched, with items left out
    # Left alone by this run because they are backing off after errors, or dead.
    still_failing: list[FeedState] = field(default_factory=list)
    interrupted: bool = False  # stopped early: what was written is recorded

    @property
    def handled(self) -> int:
        return self.fetched + self.not_modified + self.failed

    @property
    def exit_code(self) -> int:
        """See rsspress.exits."""
        return run_exit_code(
            total=self.feeds_total,
            fine=self.fetched + self.not_modified,
            failed=self.failed,
            still_failing=len(self.still_failing),
            interrupted=self.interrupted,
        )


ProgressCallback = Callable[[FeedReport], None]

# Below this many due feeds, starting worker processes costs more than it saves.
PARALLEL_MIN_FEEDS = 16


@dataclass(frozen=True)
class PostFile:
    path: Path
    text: str


@dataclass(frozen=True)
class BuiltPost:
    """A new item: its file in each post output, and what the store keeps of it."""

    files: tuple[PostFile, ...]
    record: ItemRecord


@dataclass(frozen=True)
class FeedBuild:
    """What :func:`build_feed` makes of one feed body: posts, or why not."""

    posts: tuple[BuiltPost, ...] = ()
    dropped: tuple[ItemRecord, ...] = ()  # filtered out: remembered, no post
    error: FetchError | None = None
    pages: tuple[PageRecord, ...] = ()  # article pages extracted now (or why not)
    left_out: LeftOut = field(default_factory=LeftOut)
    unreadable_dates: int = 0  # items of the document whose date no reader understood


@dataclass(frozen=True)
class FeedWritten:
    """What :func:`build_and_write` reports: the items whose posts are on disk."""

    records: tuple[ItemRecord, ...] = ()
    error: FetchError | None = None
    pages: tuple[PageRecord, ...] = ()
    left_out: LeftOut = field(default_factory=LeftOut)
    unreadable_dates: int = 0


def run_update(
    config: Config,
    *,
    force: bool = False,
    on_start: Callable[[int], None] | None = None,
    on_feed: ProgressCallback | None = None,
    clock: Callable[[], float] = time.time,
    scheduled: bool = False,
    publish_sites: bool = True,
    stop: threading.Event | None = None,
) -> RunSummary:
    """Fetch the due feeds and publish their new items. Raises StoreLocked if busy.

    A feed is due unless it is backing off after errors, its host asked us to
    wait, or it is dead; ``scheduled`` (the daemon) also waits for each
    healthy feed's own next poll. ``force`` fetches every feed.
    ``publish_sites`` builds the HTML sites at the end (the daemon batches them).
    The run takes due feeds in leases of ``daemon.claim`` feeds, so that other
    workers on a shared state take the rest.
    ``stop`` (set by Ctrl-C) ends fetching: the posts being written are finished
    and recorded, the feeds not fetched yet are left for the next run, and the
    sites are built for what was recorded.
    """
    store = Store(config.state)
    pool: concurrent.futures.ProcessPoolExecutor | None = None
    try:
        store.lock()
        store.sync_feeds(config.feeds)
        for out in config.post_outputs:
            out.dir.mkdir(parents=True, exist_ok=True)
            # Other workers on a shared state may be writing here now: only files
            # older than any lease are leftovers.
            remove_stale_temp_files(out.dir, config.daemon.lease if store.shared else None)
        started = clock()
        due = store.count_due(started, force=force, scheduled=scheduled)
        summary = RunSummary(feeds_total=len(config.feeds))
        if on_start is not None:
            on_start(due)
        workers = os.cpu_count() or 1
        if workers > 1 and due >= PARALLEL_MIN_FEEDS:
            pool = start_worker_pool(workers)
        else:
            workers = 1
        claim = Claim(force=force, scheduled=scheduled, since=started)
        asyncio.run(_update(config, store, claim, summary, on_feed, clock, pool, workers, stop))
        summary.interrupted = stop is not None and stop.is_set()
        summary.skipped = summary.feeds_total - summary.handled
        if not scheduled and not summary.interrupted:
            summary.still_failing = still_failing(config.feeds, store.feed_states(), started)
        summary.pruned = prune(store, config.post_outputs, config.retention, clock())
        if publish_sites:
            summary.sites = build_sites(config, store)
        return summary
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        store.close()


@dataclass(frozen=True)
class Claim:
    """Which feeds a run takes: the due ones (all with ``force``), each once."""

    force: bool
    scheduled: bool
    since: float  # the run's start: a feed fetched since then is done


async def _update(
    config: Config,
    store: Store,
    claim: Claim,
    summary: RunSummary,
    on_feed: ProgressCallback | None,
    clock: Callable[[], float],
    pool: concurrent.futures.Executor | None,
    workers: int,
    stop: threading.Event | None = None,
) -> None:
    feeds = {f.key: f for f in config.feeds}
    book = load_book(store, config.feeds, config.fetch, clock, force=claim.force)
    states: dict[str, FeedState] = {}
    rng = random.Random()
    loop = asyncio.get_running_loop()

    def report(feed_report: FeedReport) -> None:
        if feed_report.outcome == "ok":
            summary.fetched += 1
        elif feed_report.outcome == "not_modified":
            summary.not_modified += 1
        else:
            summary.failed += 1
            summary.failures.append(feed_report)
        summary.posts_written += feed_report.posts_written
        summary.filtered += feed_report.filtered
        if feed_report.left_out:
            summary.incomplete.append(feed_report)
        if on_feed is not None:
            on_feed(feed_report)

    def record(feed: FeedConfig, result: FetchResult, written: FeedWritten | None) -> None:
        # A feed whose lease ran out is recorded by the worker that took it over.
        with contextlib.suppress(LeaseLost):
            feed_report = publish_build(config, store, states[feed.key], feed, result, written,
                                        clock(), rng)  # fmt: skip
            record_route(store, book, feed, result, feed_report.outcome)  # RSSHub instances
            report(feed_report)

    def lease_ended(feed: FeedConfig) -> bool:
        """Our lease ran out while we fetched: the feed may be another worker's now."""
        until = states[feed.key].lease_until
        return until is not None and clock() >= until

    async def build_and_publish(fetcher: Fetcher, feed: FeedConfig, result: FetchResult) -> None:
        assert result.body is not None
        known = store.known_items(feed.key)
        limit = feed.max_new_items or config.fetch.max_new_items
        pages: dict[str, Page] = {}
        if feed.fulltext:
            pages = await fetch_pages(fetcher, store, feed, result, known, limit, page_fetches)
        if lease_ended(feed):
            return  # write no post another worker may be writing
        job = FeedJob(
            result.body,
            result.charset,
            feed,
            known,
            config.images,
            config.content,
            config.post_outputs,
            bool(config.site_outputs),
            clock(),
            pages,
            limit,
        )
        try:
            if pool is None:
                written = build_and_write(job)
            else:
                written = await loop.run_in_executor(pool, build_and_write, job)
        except Exception as exc:  # a bug, a full disk or a dead worker: this feed fails
            written = FeedWritten(error=FetchError("internal", f"{type(exc).__name__}: {exc}"))
        record(feed, result, written)

    # Builds in flight are bounded: while the workers are busy, fetching waits
    # (see fetch_all) instead of holding every body in memory.
    build_slots = asyncio.Semaphore(2 * workers + 2)
    building: set[asyncio.Task[None]] = set()

    async def build_in_slot(fetcher: Fetcher, feed: FeedConfig, result: FetchResult) -> None:
        try:
            await build_and_publish(fetcher, feed, result)
        finally:
            build_slots.release()

    # An article page shared by several feeds is fetched once per run (and, through
    # the pages table, once ever).
    page_fetches: dict[str, asyncio.Task[Page]] = {}
    taken: set[str] = set()  # claimed feeds whose fetch ended (recorded, or being built)

    async def fetch_claimed(fetcher: Fetcher) -> None:
        while not (stop is not None and stop.is_set()):
            claimed = store.claim_feeds(
                clock(),
                limit=config.daemon.claim,
                lease=config.daemon.lease,
                force=claim.force,
                scheduled=claim.scheduled,
                since=claim.since,
            )
            if not claimed:
                break
            # A feed that only another worker's config lists is that worker's to fetch.
            store.release(s.key for s in claimed if s.key not in feeds)
            states.update((s.key, s) for s in claimed if s.key in feeds)
            requests = [
                FetchRequest(s.key, feeds[s.key].url, s.etag, s.last_modified)
                for s in claimed
                if s.key in feeds
            ]
            async for result in fetcher.fetch_feeds(requests):
                feed = feeds[result.request.key]
                if result.outcome == "ok":
                    await build_slots.acquire()
                    task = asyncio.ensure_future(build_in_slot(fetcher, feed, result))
                    building.add(task)
                    task.add_done_callback(building.discard)
                else:
                    record(feed, result, None)
                taken.add(feed.key)

    async with RouteFetcher(config.fetch, book) as fetcher:
        fetching = asyncio.ensure_future(fetch_claimed(fetcher))
        await _until_done_or_stopped(fetching, stop)
        if building:  # posts being written are finished and recorded, stopped or not
            await asyncio.gather(*building)
    if fetching.cancelled():  # stopped: the feeds claimed but not fetched go back
        store.release(key for key in states if key not in taken)
    elif (error := fetching.exception()) is not None:
        raise error


async def _until_done_or_stopped(task: asyncio.Task[None], stop: threading.Event | None) -> None:
    """Wait for ``task``; cancel it as soon as ``stop`` is set (a signal handler sets it)."""
    while stop is not None and not task.done():
        if stop.is_set():
            task.cancel()
            break
        await asyncio.wait([task], timeout=0.1)
    await asyncio.wait([task])


@dataclass(frozen=True)
class Page:
    """An item's article page for full text: already extracted, or fetched, or failed."""

    url: str
    article: str | None = None  # extracted on an earlier run (the cache)
    body: bytes | None = None  # fetched now; the worker extracts it
    charset: str | None = None
    final_url: str | None = None
    error: str | None = None  # why there is no page


async def fetch_pages(
    fetcher: Fetcher,
    store: Store,
    feed: FeedConfig,
    result: FetchResult,
    known: KnownItems,
    limit: int,
    in_flight: dict[str, asyncio.Task[Page]],
) -> dict[str, Page]:
    """The article pages of a full-text feed's new items: from the cache, else fetched."""
    assert result.body is not None
    try:
        parsed = parse_feed(result.body, feed.url, result.charset, date_text=False)
    except ParseError:
        return {}  # the build reports it
    fresh = new_items_of(feed, parsed.items, known, limit)
    links = list(dict.fromkeys(item.link for _, item in fresh.items if item.link))
    cached = store.cached_articles(links)
    pages = {url: Page(url, article=article) for url, article in cached.items()}
    missing = [url for url in links if url not in cached]

    async def one(url: str) -> Page:
        fetched = await fetcher.fetch_page(FetchRequest(url, url))
        if fetched.error is not None:
            return Page(url, error=f"{fetched.error.kind}: {fetched.error.message}")
        return Page(url, body=fetched.body, charset=fetched.charset, final_url=fetched.final_url)

    for url in missing:
        if url not in in_flight:
            in_flight[url] = asyncio.ensure_future(one(url))
    for page in await asyncio.gather(*(in_flight[url] for url in missing)):
        pages[page.url] = page
    return pages


@dataclass(frozen=True)
class FeedJob:
    """Everything a worker needs to turn one fetched feed into posts."""

    body: bytes
    charset: str | None
    feed: FeedConfig
    known: KnownItems  # items already published or dropped, by key
    images: ImagesConfig
    content: ContentConfig
    outputs: tuple[OutputConfig, ...]  # the post outputs (Hexo, Hugo, Jekyll)
    site: bool  # an HTML site is built too: keep each item's cleaned body in the state
    now: float
    pages: dict[str, Page] = field(default_factory=dict)  # full text, by item link
    max_new_items: int | None = None  # published now; the other new items wait


def build_and_write(job: FeedJob) -> FeedWritten:
    """Build a feed's posts and write each one atomically; what the workers run."""
    build = build_feed(job)
    if build.error is not None:
        return FeedWritten(error=build.error, left_out=build.left_out)
    for post in build.posts:
        for file in post.files:
            write_atomic(file.path, file.text)
    return FeedWritten(
        records=tuple(post.record for post in build.posts) + build.dropped,
        pages=build.pages,
        left_out=build.left_out,
        unreadable_dates=build.unreadable_dates,
    )


def build_feed(job: FeedJob) -> FeedBuild:
    """Parse a feed body and render a post for every new item. Pure: no I/O.

    Runs in worker processes; every failure comes back as a value.
    """
    feed, content, images, now = job.feed, job.content, job.images, job.now
    # Each profile's body is prepared once, whatever the number of outputs using it.
    profiles = {out.profile for out in job.outputs} | ({"default"} if job.site else set())
    # fastfeedparser's native extractor is 3× faster but gives dates in UTC; compat needs
    # the feed's own text, and Jekyll names each file after the item's own day.
    own_offsets = "compat" in profiles or any(out.format == "jekyll" for out in job.outputs)
    try:
        parsed = parse_feed(job.body, feed.url, job.charset, date_text=own_offsets)
    except ParseError as exc:
        return FeedBuild(error=FetchError("parse", f"not a feed: {exc}"))
    posts: list[BuiltPost] = []
    dropped: list[ItemRecord] = []
    page_records: list[PageRecord] = []
    first_seen = dt.datetime.fromtimestamp(now, dt.UTC)
    fresh = new_items_of(feed, parsed.items, job.known, job.max_new_items)
    for key, item in fresh.items:
        # Within the per-item budget from here on: every stage's work on it is bounded.
        raw_html = item.content_html  # an untitled item's title comes from its own text
        item = bounded_item(item, content.max_body_chars)
        title = readable_title(item.title, raw_html, feed.name, item.date or first_seen)
        pid = post_id(feed.key, key)
        record = ItemRecord(
            item_key=key,
            post_id=pid,
            guid=item.guid,
            link=item.link,
            title=title,
            date=item.date.isoformat() if item.date else None,
            date_text=item.date_text,
            author=item.author,
            content=item.content_html,
            state=ItemState.PUBLISHED,
            first_seen_at=now,
            published_at=None,
        )
        # Filters first (the content stage's order): a dropped item is remembered, not posted.
        reason = drop_reason(item, feed, content.filters, first_seen)
        if reason is not None:
            dropped.append(dataclasses.replace(record, state=ItemState.DROPPED, drop_reason=reason))
            continue
        rule = rule_for(content.rules, feed, item.link)
        html = item.content_html
        base_url = item.link or parsed.link or without_secrets(feed.url)
        page = job.pages.get(item.link or "")
        if page is not None:
            article, record_of_page = article_of(page, rule, now)
            if record_of_page is not None:
                page_records.append(record_of_page)
            if article is not None:
                html = affordable_body(article, item.link, content.max_body_chars)
                base_url = page.final_url or page.url
        prepared: dict[str, PreparedBody] = {
            profile: prepare_body(
                html,
                base_url=base_url,
                images=images,
                profile=profile,
                placeholder_n=placeholder_number(pid),
                content=content,
                rule=rule,
                media_images=item.image_urls,
            )
            for profile in sorted(profiles)
        }
        files: list[PostFile] = []
        for out in job.outputs:
            body = prepared[out.profile]
            post = Post(
                title=title,
                categories=feed.categories,
                author=feed.site,
                date_text=item.date_text,
                date=item.date,
                fallback_date=first_seen,
                cover=body.cover,
                body=body.html,
                post_id=pid,
                link=item.link,
                image=body.image,
            )
            name = post_file_name(out.format, pid, post.when)
            files.append(PostFile(out.dir / name, render_post_text(out.format, out.profile, post)))
        site_body = prepared["default"] if job.site else None
        record = dataclasses.replace(
            record,
            published_at=now,
            body=site_body.html if site_body else None,
            cover=site_body.image if site_body else None,
            summary=summary_of(site_body.html) if site_body else None,
        )
        posts.append(BuiltPost(tuple(files), record))
    return FeedBuild(
        posts=tuple(posts),
        dropped=tuple(dropped),
        pages=tuple(page_records),
        left_out=LeftOut(parsed.damage, parsed.held_back + fresh.empty, fresh.deferred),
        unreadable_dates=sum(1 for item in parsed.items if item.date_unreadable),
    )


def article_of(page: Page, rule: CleanupRule, now: float) -> tuple[str | None, PageRecord | None]:
    """The article for an item from its page; None keeps the summary. Also what to cache."""
    if page.article is not None:
        return page.article, None
    if page.body is None:
        return None, PageRecord(page.url, now, None, page.error or "not fetched")
    try:
        article = extract_article(
            page.body, page.charset, page.final_url or page.url, rule.fulltext_selector
        )
    except ValueError as exc:
        return None, PageRecord(page.url, now, None, str(exc))
    return article, PageRecord(page.url, now, article)


def publish_build(
    config: Config,
    store: Store,
    state: FeedState,
    feed: FeedConfig,
    result: FetchResult,
    written: FeedWritten | None,
    now: float,
    rng: random.Random,
) -> FeedReport:
    """Record a feed's fetch and its written posts in one transaction."""
    error = result.error if result.outcome == "error" else (written.error if written else None)
    if error is not None:
        failures = state.failures + 1
        next_attempt = retry_at(
            now, failures, config.fetch.retry_base, config.fetch.retry_max, rng, error.retry_after
        )
        host = url_host(feed.url)  # an RSSHub route's instances are paused one by one (rsshub)
        if host and feed.route is None and pauses_host(error.status, error.retry_after):
            store.pause_host(host, next_attempt, f"{feed.label}: {error.message}")
        dead_reason = death(error.status, state.first_failure_at or now, now, config.daemon)
        dead_reason = dead_reason or route_death(error.kind, state.error_kind, state.failures)
        store.record_fetch(
            feed.key,
            FetchOutcome(
                Outcome.ERROR,
                at=now,
                error_kind=error.kind,
                error_message=error.message,
                next_attempt_at=next_attempt,
                dead_reason=dead_reason,
            ),
        )
        return FeedReport(feed, "error", error=error, elapsed=result.elapsed)
    times = store.item_times(feed.key)
    if written is not None:
        times += [item_when(r.date, r.first_seen_at).timestamp() for r in written.records]
    next_poll = next_poll_at(
        now,
        times,
        config.daemon,
        ttl=feed_ttl(result.body) if result.body else None,
        fresh_for=result.fresh_for,
    )
    if result.outcome == "not_modified" or written is None:
        store.record_fetch(
            feed.key, FetchOutcome(Outcome.NOT_MODIFIED, at=now, next_poll_at=next_poll)
        )
        return FeedReport(feed, "not_modified", elapsed=result.elapsed)
    left_out = written.left_out
    if left_out.damage is not None or left_out.deferred:  # what waits comes with the next poll
        next_poll = min(next_poll, now + config.daemon.min_interval)
    posts = store.record_items(
        feed.key,
        written.records,
        FetchOutcome(
            Outcome.OK,
            at=now,
            etag=result.etag,
            last_modified=result.last_modified,
            next_poll_at=next_poll,
            malformed=left_out.damage,
            held_back=left_out.held_back,
            deferred=left_out.deferred,
            unreadable_dates=written.unreadable_dates,
        ),
        written.pages,
    )
    return FeedReport(
        feed,
        "ok",
        posts_written=posts,
        filtered=sum(1 for record in written.records if record.state is ItemState.DROPPED),
        elapsed=result.elapsed,
        left_out=left_out,
    )
