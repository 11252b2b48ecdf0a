"""`rsspress daemon`: fetch each feed when it is due, publish in batches, run for months.

The loop is the one-shot update (:func:`rsspress.update.run_update`) run
over the feeds that are due by their own schedule, then a publish (the HTML
sites, then the user's post-publish command) once enough news waits or
enough time has passed. SIGTERM and SIGINT let the update in hand finish,
publish what it brought, and exit.

The daemon opens the state once and keeps it (an SQLite state is held by it
for its whole life), and keeps one pool of worker processes, started when a
round first has enough due feeds to use it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from rsspress.config import Config
from rsspress.publish.site import build_sites
from rsspress.schedule import next_wake
from rsspress.store import StateError, Store
from rsspress.update import FeedReport, RunSummary, run_update
from rsspress.update.build import warm_up
from rsspress.update.workers import WorkerPool
from rsspress.urls import host_port

log = logging.getLogger("rsspress.daemon")

MAX_SLEEP = 60.0  # wake at least this often (config reloads are not watched; stop is)
STATE_RETRY = 30.0  # the state is held or unreachable: try again after this


class DaemonMetrics:
    """What `/metrics` shows, in Prometheus's text format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.fetches = Counter(
            "rsspress_fetches", "Feed fetches by outcome.", ["outcome"], registry=self.registry
        )
        self.items_new = Counter("rsspress_items_new", "New items found.", registry=self.registry)
        self.items_published = Counter(
            "rsspress_items_published", "Items included in a publish.", registry=self.registry
        )
        self.fetch_seconds = Histogram(
            "rsspress_fetch_duration_seconds",
            "Feed fetch latency.",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        self.due = Gauge(
            "rsspress_due_feeds", "Feeds due and not fetched yet.", registry=self.registry
        )
        self.last_publish = Gauge(
            "rsspress_last_publish_timestamp_seconds",
            "When the last successful publish ended (Unix time).",
            registry=self.registry,
        )
        self.publish_failures = Counter(
            "rsspress_publish_failures", "Publishes whose command failed.", registry=self.registry
        )
        for outcome in ("ok", "not_modified", "error"):
            self.fetches.labels(outcome)

    def on_start(self, due: int) -> None:
        self.due.set(due)

    def on_feed(self, report: FeedReport) -> None:
        self.due.dec()
        self.fetches.labels(report.outcome).inc()
        self.fetch_seconds.observe(report.elapsed)
        self.items_new.inc(report.posts_written)


@dataclass
class PublishResult:
    items: int
    command_exit: int | None  # None: no command configured


class Daemon:
    def __init__(self, config: Config, *, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.metrics = DaemonMetrics()
        self.pending = 0  # new items not published yet
        self.last_publish = clock()
        self.store: Store | None = None  # opened by the first round, kept until the end
        self.pool: WorkerPool | None = None  # its processes start at the first build

    def serve_metrics(self) -> str | None:
        listen = self.config.daemon.metrics_listen
        if listen is None:
            return None
        host, port = host_port(listen)
        server, _ = start_http_server(port, host, self.metrics.registry)
        return f"http://{listen.rpartition(':')[0] or host}:{server.server_address[1]}/metrics"

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set: update the due feeds, publish when it is time, sleep."""
        try:
            self._loop(stop)
        finally:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
            if self.store is not None:
                self.store.close()

    def open_store(self) -> Store:
        """The state, opened once for the daemon's life (again only if it failed)."""
        if self.store is None:
            self.store = Store(self.config.state)
        return self.store

    def update_round(self) -> RunSummary:
        """One update of the due feeds, holding the state for it.

        Between rounds an SQLite state is let go, so that a one-shot `rsspress run`
        can work on it while the daemon sleeps; and each round frees the leases of
        this machine's processes that have ended (a killed worker's feeds are taken
        over at once, not when its leases run out).
        """
        store = self.open_store()
        store.lock()
        try:
            return run_update(
                self.config,
                store=store,
                pool=self.worker_pool(),
                scheduled=True,
                publish_sites=False,
                on_start=self.metrics.on_start,
                on_feed=self.metrics.on_feed,
                clock=self.clock,
            )
        finally:
            store.unlock()

    def worker_pool(self) -> WorkerPool | None:
        """The daemon's worker processes (each starts when first needed); None on one core."""
        workers = os.cpu_count() or 1
        if self.pool is None and workers > 1:
            self.pool = WorkerPool(workers, warm_up)
        return self.pool

    def _loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                summary = self.update_round()
            except StateError as exc:  # held by a `run`, or the database is unreachable
                log.warning("%s; trying again in %.0f s", exc, STATE_RETRY)
                if self.store is not None:  # opened again next time
                    self.store.close()
                    self.store = None
                stop.wait(STATE_RETRY)
                continue
            fetched = summary.fetched + summary.not_modified + summary.failed
            if fetched:
                log.info(
                    "%d fetched: %d new items, %d not modified, %d failed",
                    fetched, summary.posts_written, summary.not_modified, summary.failed,
                )  # fmt: skip
            for report in summary.failures:
                assert report.error is not None
                log.warning("failed %s: %s: %s", report.feed.label, report.error.kind,
                            report.error.message)  # fmt: skip
            for report in summary.incomplete:  # items left for later fetches, and why
                log.warning("incomplete %s: %s", report.feed.label, report.left_out.describe())
            self.pending += summary.posts_written
            if self.publish_due():
                self.publish()
            stop.wait(self.sleep_seconds())
        if self.pending:
            self.publish()  # the work in hand: what the last update brought goes out
        log.info("stopped")

    def publish_due(self) -> bool:
        daemon = self.config.daemon
        if not self.pending:
            return False
        waited = self.clock() - self.last_publish
        return self.pending >= daemon.publish_after or waited >= daemon.publish_every

    def publish(self) -> PublishResult:
        """Build the HTML sites, then run the post-publish command; its failure stops nothing."""
        items, self.pending = self.pending, 0
        store = self.open_store()
        for out, report in zip(self.config.site_outputs, build_sites(self.config, store),
                               strict=True):  # fmt: skip
            log.info("site %s: %d files written, %d removed in %.1f s",
                     out.dir, report.written, report.removed, report.seconds)  # fmt: skip
        exit_code = run_post_publish(self.config)
        self.last_publish = self.clock()
        self.metrics.items_published.inc(items)
        if exit_code:
            self.metrics.publish_failures.inc()
        else:
            self.metrics.last_publish.set(time.time())
        log.info("published %d new items", items)
        return PublishResult(items, exit_code)

    def sleep_seconds(self) -> float:
        """Until the next feed is due, or the pending batch must go out; 1 s to 60 s."""
        now = self.clock()
        store = self.open_store()
        wake = next_wake(
            store.feed_states().values(),
            store.paused_hosts(now),
            {f.key: f.pause_host for f in self.config.feeds},
        )
        if self.pending:
            publish_at = self.last_publish + self.config.daemon.publish_every
            wake = publish_at if wake is None else min(wake, publish_at)
        if wake is None:
            return MAX_SLEEP
        return min(MAX_SLEEP, max(1.0, wake - now))


def run_post_publish(config: Config) -> int | None:
    """The user's command (in the config's folder); its output and exit code are logged."""
    command = config.daemon.post_publish
    if command is None:
        return None
    started = time.monotonic()
    try:
        result = subprocess.run(
            command,
            shell=True,
            cwd=config.path.parent,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=config.daemon.post_publish_timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        log.error("post_publish timed out after %.0f s: %s", exc.timeout, command)
        return -1
    output = (result.stdout + result.stderr).strip()
    level = logging.INFO if result.returncode == 0 else logging.ERROR
    log.log(level, "post_publish exited %d in %.1f s: %s", result.returncode,
            time.monotonic() - started, command)  # fmt: skip
    for line in output.splitlines()[-20:]:
        log.log(level, "  | %s", line)
    return result.returncode
