"""What the state keeps of RSSHub instances, and what `status` shows of it.

Tables ``rsshub_instances`` (each instance's health over all routes) and
``rsshub_routes`` (each feed on each instance: validators, when it served the feed,
its route errors); instance pauses go to the store's ``hosts`` table, which the claim
query reads. A feed's validators on an instance are written only after its items are
recorded, so a crash in between costs a full fetch, never a 304 that hides items.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rsspress.config import FeedConfig, FetchConfig
from rsspress.fetch import FetchResult
from rsspress.model import Outcome
from rsspress.rsshub.health import InstanceHealth, RouteBook, RouteHealth
from rsspress.rsshub.routes import Route
from rsspress.store import Store


def load_book(
    store: Store,
    feeds: Iterable[FeedConfig],
    fetch: FetchConfig,
    clock: Callable[[], float],
    *,
    force: bool = False,
) -> RouteBook:
    """The routes' instances and their health, as the state has them.

    ``force`` (``run --force``) tries every instance again now: rests and pauses are
    forgotten for this run (what this run learns still counts).
    """
    routes = {feed.key: feed.route for feed in feeds if feed.route is not None}
    book = RouteBook(routes, fetch.retry_base, fetch.retry_max, clock)
    if not routes:
        return book
    ids = {instance.id for route in routes.values() for instance in route.instances}
    rows = store.db.execute(
        "SELECT instance, failures, rest_until, error, last_ok_at, failed_at FROM rsshub_instances"
    )
    for instance, failures, rest_until, error, last_ok_at, failed_at in rows:
        if instance in ids:
            book.instances[instance] = InstanceHealth(
                failures, None if force else rest_until, None, error, last_ok_at, failed_at
            )
    if not force:
        for host, until in store.paused_hosts(clock()).items():
            if host in ids:
                health = book.instance(host)
                health.paused_until = health.pause_written = until
    rows = store.db.execute(
        """SELECT feed_key, instance, url, etag, last_modified, last_ok_at, failures,
                  rest_until, error, failed_at FROM rsshub_routes"""
    )
    for key, instance, url, etag, modified, ok_at, failures, rest, error, failed_at in rows:
        if key in routes:
            book.route_health[(key, instance)] = RouteHealth(
                failures, None if force else rest, error, ok_at, failed_at, url, etag, modified
            )
    return book


def record_route(
    store: Store, book: RouteBook, feed: FeedConfig, result: FetchResult, outcome: Outcome
) -> None:
    """Write what fetching this feed taught about its instances (after the feed's own record).

    ``outcome`` is the feed's recorded outcome: the serving instance's validators are
    kept only once the feed's items are (ok).
    """
    route = feed.route
    if route is None:
        return
    with store.transaction() if _changed(book, feed.key, route) else contextlib.nullcontext():
        for instance in route.instances:
            health = book.instances.get(instance.id)
            if health is not None and health.changed:
                _write_instance(store, instance.id, instance.label, health)
                health.changed = False
            on_route = book.route_health.get((feed.key, instance.id))
            if on_route is None or not on_route.changed:
                continue
            served = outcome is Outcome.OK and result.outcome is Outcome.OK
            if instance.id == result.instance and served:
                on_route.url = route.url_on(instance)
                on_route.etag, on_route.last_modified = result.etag, result.last_modified
            _write_route(store, feed.key, instance.id, on_route)
            on_route.changed = False
    for instance in route.instances:
        health = book.instance(instance.id)
        until = health.paused_until
        if until is not None and until != health.pause_written:
            store.pause_host(instance.id, until, f"{instance.label}: {health.error}")
            health.pause_written = until
    every = book.paused_until(route)
    if every is not None and len(route.instances) > 1:
        store.pause_host(route.pause_key, every, "every RSSHub instance asked us to wait")


def _changed(book: RouteBook, feed_key: str, route: Route) -> bool:
    """Whether this fetch taught anything to write (most fetches do: who served it, when)."""
    for instance in route.instances:
        health, on_route = (
            book.instances.get(instance.id),
            book.route_health.get((feed_key, instance.id)),
        )
        if (health is not None and health.changed) or (on_route is not None and on_route.changed):
            return True
    return False


def _write_instance(store: Store, instance: str, label: str, h: InstanceHealth) -> None:
    store.db.execute(
        """INSERT INTO rsshub_instances
                  (instance, label, failures, rest_until, error, last_ok_at, failed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(instance) DO UPDATE SET label = excluded.label,
                  failures = excluded.failures, rest_until = excluded.rest_until,
                  error = excluded.error, last_ok_at = excluded.last_ok_at,
                  failed_at = excluded.failed_at""",
        (instance, label, h.failures, h.rest_until, h.error, h.last_ok_at, h.failed_at),
    )


def _write_route(store: Store, feed_key: str, instance: str, h: RouteHealth) -> None:
    store.db.execute(
        """INSERT INTO rsshub_routes (feed_key, instance, url, etag, last_modified, last_ok_at,
                                      failures, rest_until, error, failed_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(feed_key, instance) DO UPDATE SET url = excluded.url,
                  etag = excluded.etag, last_modified = excluded.last_modified,
                  last_ok_at = excluded.last_ok_at, failures = excluded.failures,
                  rest_until = excluded.rest_until, error = excluded.error,
                  failed_at = excluded.failed_at""",
        (feed_key, instance, h.url, h.etag, h.last_modified, h.last_ok_at, h.failures,
         h.rest_until, h.error, h.failed_at),
    )  # fmt: skip


# -- status ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedInstances:
    """Which instance served a feed last, and the instances failing for it now."""

    served_by: str | None  # the instance's label
    failing: dict[str, str]  # label -> its last error, for this feed or for every feed


@dataclass(frozen=True)
class InstanceStatus:
    label: str
    state: str  # ok | failing | resting | paused | unused
    last_ok_at: float | None
    failures: int
    error: str | None
    until: float | None  # end of its pause or rest


def feed_instances(
    store: Store, feeds: Iterable[FeedConfig], now: float
) -> dict[str, FeedInstances]:
    """For each ``rsshub:/`` feed: who served it last, and which instances fail for it."""
    routes = {feed.key: feed.route for feed in feeds if feed.route is not None}
    if not routes:
        return {}
    instances = {status.label: status for status in instance_statuses(store, feeds, now)}
    rows = store.db.execute(
        "SELECT feed_key, instance, last_ok_at, failures, error FROM rsshub_routes"
    ).fetchall()
    by_feed: dict[str, list[tuple[str, float | None, int, str | None]]] = {}
    for key, instance, ok_at, failures, error in rows:
        if key in routes:
            by_feed.setdefault(key, []).append((instance, ok_at, failures, error))
    out: dict[str, FeedInstances] = {}
    for key, route in routes.items():
        labels = {instance.id: instance.label for instance in route.instances}
        served = [(ok_at, i) for i, ok_at, _, _ in by_feed.get(key, []) if ok_at and i in labels]
        failing = {
            labels[i]: error or "failing"
            for i, _, failures, error in by_feed.get(key, [])
            if failures and i in labels
        }
        for label in labels.values():
            status = instances.get(label)
            if status is not None and status.state in ("failing", "resting", "paused"):
                failing.setdefault(label, status.error or status.state)
        out[key] = FeedInstances(labels[max(served)[1]] if served else None, failing)
    return out


def instance_statuses(
    store: Store, feeds: Iterable[FeedConfig], now: float
) -> list[InstanceStatus]:
    """Every configured instance's health over all its routes, in the config's order."""
    listed = {
        instance.id: instance.label
        for feed in feeds
        if feed.route is not None
        for instance in feed.route.instances
    }
    if not listed:
        return []
    rows = {
        row[0]: row[1:]
        for row in store.db.execute(
            "SELECT instance, failures, rest_until, error, last_ok_at FROM rsshub_instances"
        )
    }
    paused = store.paused_hosts(now)
    out: list[InstanceStatus] = []
    for instance, label in listed.items():
        failures, rest_until, error, last_ok_at = rows.get(instance, (0, None, None, None))
        if instance in paused:
            state, until = "paused", paused[instance]
        elif rest_until is not None and rest_until > now:
            state, until = "resting", rest_until
        elif failures:
            state, until = "failing", None
        else:
            state, until = ("ok" if instance in rows else "unused"), None
        out.append(InstanceStatus(label, state, last_ok_at, failures, error, until))
    return out
