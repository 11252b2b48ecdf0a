"""One update of the mirror: claim → fetch → build → decide → apply, feed by feed.

Feeds are fetched concurrently and each result is handled as soon as it arrives.
The CPU-heavy build runs in worker processes when there are enough feeds to keep
two cores busy. This process alone writes the state, and records a feed's items
only once their posts are on disk. Each feed ends in its own transaction, so a
failure, a hostile item or a killed process never touches another feed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import random
import threading
import time
from collections.abc import Callable
from functools import partial

from rsspress.atomic import remove_stale_temp_files
from rsspress.config import Config, FeedConfig
from rsspress.exits import still_failing
from rsspress.fetch import FetchResult
from rsspress.model import FeedState, Outcome
from rsspress.publish.site import build_sites
from rsspress.retention import prune
from rsspress.rsshub.fetching import RouteFetcher
from rsspress.rsshub.state import load_book, record_route
from rsspress.store import LeaseLost, Store
from rsspress.store.protocols import UpdateStore
from rsspress.update.apply import apply
from rsspress.update.build import FeedJob, FeedWritten, build_and_write, warm_up
from rsspress.update.claim import Claim, claim_next, fetch_request, lease_ended
from rsspress.update.decide import decide, failure_of
from rsspress.update.fetch import FeedFetcher, Page, fetch_pages
from rsspress.update.report import BuildError, ProgressCallback, RunSummary
from rsspress.update.workers import WorkerPool

# Below this many due feeds, starting worker processes costs more than it saves.
PARALLEL_MIN_FEEDS = 16

# Called once a feed's fetch is recorded, with its recorded outcome (RSSHub instances).
RecordedCallback = Callable[[FeedConfig, FetchResult, Outcome], None]


def run_update(
    config: Config,
    *,
    store: Store | None = None,
    pool: concurrent.futures.Executor | None = None,
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
    ``store`` (opened and locked) and ``pool`` are the caller's to keep (the daemon
    keeps one of each for its life); without them the run opens its own.
    """
    own_store: Store | None = None
    if store is None:
        own_store = store = Store(config.state)
    state = store
    own_pool: WorkerPool | None = None
    try:
        if own_store is not None:
            own_store.lock()
        state.sync_feeds(config.feeds)
        for out in config.post_outputs:
            out.dir.mkdir(parents=True, exist_ok=True)
            # Other workers on a shared state may be writing here now: only files
            # older than any lease are leftovers.
            remove_stale_temp_files(out.dir, config.daemon.lease if state.shared else None)
        started = clock()
        due = state.count_due(started, force=force, scheduled=scheduled)
        summary = RunSummary(feeds_total=len(config.feeds))
        if on_start is not None:
            on_start(due)
        workers = os.cpu_count() or 1
        if workers > 1 and due >= PARALLEL_MIN_FEEDS:
            if pool is None:
                pool = own_pool = WorkerPool(workers, warm_up)
        else:
            workers, pool = 1, None
        claim = Claim(force=force, scheduled=scheduled, since=started)
        book = load_book(state, config.feeds, config.fetch, clock, force=force)

        async def fetch_and_publish() -> None:
            async with RouteFetcher(config.fetch, book) as fetcher:
                await update_feeds(
                    config, state, fetcher, claim, summary,
                    clock=clock, pool=pool, workers=workers, on_feed=on_feed, stop=stop,
                    on_recorded=partial(record_route, state, book),
                )  # fmt: skip

        asyncio.run(fetch_and_publish())
        summary.interrupted = stop is not None and stop.is_set()
        summary.skipped = summary.feeds_total - summary.handled
        if not scheduled and not summary.interrupted:
            summary.still_failing = still_failing(config.feeds, state.feed_states(), started)
        summary.pruned = prune(state, config.post_outputs, config.retention, clock())
        if publish_sites:
            summary.sites = build_sites(config, state)
        return summary
    finally:
        if own_pool is not None:
            own_pool.shutdown(cancel_futures=True)
        if own_store is not None:
            own_store.close()


async def update_feeds(
    config: Config,
    store: UpdateStore,
    fetcher: FeedFetcher,
    claim: Claim,
    summary: RunSummary,
    *,
    clock: Callable[[], float] = time.time,
    pool: concurrent.futures.Executor | None = None,
    workers: int = 1,
    on_feed: ProgressCallback | None = None,
    on_recorded: RecordedCallback | None = None,
    stop: threading.Event | None = None,
    rng: random.Random | None = None,
) -> None:
    """Claim, fetch, build, decide and apply every due feed, counting each in ``summary``.

    Raises what failed to be recorded (the state's error: the run cannot go on), after
    the posts being written are finished.
    """
    update = _Update(config, store, fetcher, claim, summary, clock, pool, workers, on_feed,
                     on_recorded, stop, rng or random.Random())  # fmt: skip
    await update.run()


class _Update:
    """One run's feeds in flight: claimed, being fetched, being built."""

    def __init__(
        self,
        config: Config,
        store: UpdateStore,
        fetcher: FeedFetcher,
        claim: Claim,
        summary: RunSummary,
        clock: Callable[[], float],
        pool: concurrent.futures.Executor | None,
        workers: int,
        on_feed: ProgressCallback | None,
        on_recorded: RecordedCallback | None,
        stop: threading.Event | None,
        rng: random.Random,
    ) -> None:
        self.config, self.store, self.fetcher, self.claim = config, store, fetcher, claim
        self.summary, self.clock, self.pool, self.rng = summary, clock, pool, rng
        self.on_feed, self.on_recorded, self.stop = on_feed, on_recorded, stop
        self.feeds = {f.key: f for f in config.feeds}
        self.states: dict[str, FeedState] = {}  # claimed feeds: their state when claimed
        self.taken: set[str] = set()  # claimed feeds whose fetch ended (recorded, or building)
        # Builds in flight are bounded: while the workers are busy, fetching waits
        # (see Fetcher.fetch_feeds) instead of holding every body in memory.
        self.build_slots = asyncio.Semaphore(2 * workers + 2)
        self.building: set[asyncio.Task[None]] = set()
        self.failed: list[BaseException] = []  # what a build task could not record
        self.page_fetches: dict[str, asyncio.Task[Page]] = {}  # the run's article pages
        self.fetching: asyncio.Task[None] | None = None

    async def run(self) -> None:
        fetching = self.fetching = asyncio.ensure_future(self.fetch_claimed())
        await _until_done_or_stopped(fetching, self.stop)
        while self.building:  # posts being written are finished and recorded, stopped or not
            await asyncio.wait(set(self.building))
        if fetching.cancelled():  # stopped or failed: the feeds claimed but not fetched go back
            self.store.release(key for key in self.states if key not in self.taken)
        elif (error := fetching.exception()) is not None:
            raise error
        if self.failed:
            raise self.failed[0]

    async def fetch_claimed(self) -> None:
        while not (self.stop is not None and self.stop.is_set()):
            claimed = claim_next(self.store, self.claim, self.feeds, self.config.daemon,
                                 self.clock())  # fmt: skip
            if not claimed:
                break
            self.states.update((state.key, state) for state in claimed)
            requests = [fetch_request(state, self.feeds[state.key]) for state in claimed]
            async for result in self.fetcher.fetch_feeds(requests):
                feed = self.feeds[result.request.key]
                if result.outcome is Outcome.OK:
                    await self.build_slots.acquire()
                    task = asyncio.ensure_future(self.build_in_slot(feed, result))
                    self.building.add(task)
                    task.add_done_callback(self.built)
                else:
                    self.record(feed, result, None)
                self.taken.add(feed.key)

    def built(self, task: asyncio.Task[None]) -> None:
        """A build task ended: what it could not record fails the run (never lost)."""
        self.building.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is None:
            return
        self.failed.append(error)
        if self.fetching is not None:
            self.fetching.cancel()  # claim and fetch no more: the state is failing

    async def build_in_slot(self, feed: FeedConfig, result: FetchResult) -> None:
        try:
            written = await self.build(feed, result)
            if written is not None:
                self.record(feed, result, written)
        finally:
            self.build_slots.release()

    async def build(self, feed: FeedConfig, result: FetchResult) -> FeedWritten | None:
        """The feed's posts, written; None when our lease ran out meanwhile."""
        assert result.body is not None
        config = self.config
        known = self.store.known_items(feed.key)
        limit = feed.max_new_items or config.fetch.max_new_items
        pages: dict[str, Page] = {}
        if feed.fulltext:
            pages = await fetch_pages(self.fetcher, self.store, feed, result, known, limit,
                                      self.page_fetches)  # fmt: skip
        if lease_ended(self.states[feed.key], self.clock()):
            return None  # write no post another worker may be writing
        job = FeedJob(
            result.body,
            result.charset,
            feed,
            known,
            config.images,
            config.content,
            config.post_outputs,
            bool(config.site_outputs),
            self.clock(),
            pages,
            limit,
        )
        try:
            if self.pool is None:
                return build_and_write(job)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self.pool, build_and_write, job)
        except Exception as exc:  # a bug, a full disk or a dead worker: this feed fails
            return FeedWritten(error=BuildError("internal", f"{type(exc).__name__}: {exc}"))

    def record(self, feed: FeedConfig, result: FetchResult, written: FeedWritten | None) -> None:
        """Decide what the fetch changes and apply it; report the feed."""
        state = self.states[feed.key]
        # The schedule needs the feed's item times only when it did not fail.
        failed = failure_of(result, written) is not None
        times = [] if failed else self.store.item_times(feed.key)
        now = self.clock()
        decision = decide(state, feed, result, written, times, self.config.fetch,
                          self.config.daemon, now, self.rng)  # fmt: skip
        # A feed whose lease ran out is recorded by the worker that took it over.
        with contextlib.suppress(LeaseLost):
            report = apply(self.store, feed, decision, result.elapsed)
            if self.on_recorded is not None:
                self.on_recorded(feed, result, report.outcome)  # RSSHub instances
            self.summary.add(report)
            if self.on_feed is not None:
                self.on_feed(report)


async def _until_done_or_stopped(task: asyncio.Task[None], stop: threading.Event | None) -> None:
    """Wait for ``task``; cancel it as soon as ``stop`` is set (a signal handler sets it)."""
    while stop is not None and not task.done():
        if stop.is_set():
            task.cancel()
            break
        await asyncio.wait([task], timeout=0.1)
    await asyncio.wait([task])
