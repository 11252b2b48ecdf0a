"""Which RSSHub instance serves a route next, and how long a failed one rests.

A route is fetched from the first instance, in the config's order, that is neither
paused nor resting; the others are tried in turn within the same fetch when it fails:

- **paused**: the instance answered 429, or 503 with ``Retry-After``. No request goes to
  it before its pause ends (the ``Retry-After``, else a backoff), for any route.
- **resting**: the instance is down (no connection, a gateway that cannot reach it) or
  refuses our access code, for every route; or this one route failed there (a route
  error, no such route, not a feed), for this route only. A resting instance is tried
  again once its rest is over, or sooner when every other one failed too.

Rests double with each failure in a row (``fetch.retry_base`` … ``fetch.retry_max``,
with jitter). So a feed stays on the instance that served it while the ones before it
rest (sticky), and goes back to the first one once that one's rest is over and it
answers well. State in, decisions out: the clock is the caller's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from rsspress.fetch import FetchError
from rsspress.rsshub.answers import INSTANCE, PAUSE, Failure
from rsspress.rsshub.routes import Instance, Route
from rsspress.schedule import backoff_delay


@dataclass
class InstanceHealth:
    """How an instance has been answering, over all routes."""

    failures: int = 0  # instance-wide failures in a row
    rest_until: float | None = None  # down or refusing: tried first again after this
    paused_until: float | None = None  # it asked us to wait: no request before this
    error: str | None = None  # its last instance-wide failure, as `status` shows it
    last_ok_at: float | None = None
    failed_at: float | None = None
    changed: bool = False  # to be written to the state
    pause_written: float | None = None  # the pause the state holds (hosts table)


@dataclass
class RouteHealth:
    """How one feed's route has been answering on one instance; its validators there."""

    failures: int = 0  # route failures in a row on this instance
    rest_until: float | None = None
    error: str | None = None
    last_ok_at: float | None = None  # when this instance last served the feed well
    failed_at: float | None = None
    url: str | None = None  # the URL (without the access code) the validators belong to
    etag: str | None = None
    last_modified: str | None = None
    changed: bool = False


@dataclass
class RouteBook:
    """Every route's instances and their health, for one run (loaded from the state)."""

    routes: Mapping[str, Route]  # by feed key
    retry_base: float
    retry_max: float
    clock: Callable[[], float]
    instances: dict[str, InstanceHealth] = field(default_factory=dict)  # by instance id
    route_health: dict[tuple[str, str], RouteHealth] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)
    _known: set[str] | None = field(default=None, repr=False)  # feeds with route rows

    def route_of(self, feed_key: str) -> Route | None:
        return self.routes.get(feed_key)

    def instance(self, instance_id: str) -> InstanceHealth:
        return self.instances.setdefault(instance_id, InstanceHealth())

    def on_route(self, feed_key: str, instance_id: str) -> RouteHealth:
        if self._known is not None:
            self._known.add(feed_key)
        return self.route_health.setdefault((feed_key, instance_id), RouteHealth())

    def choose(self, feed_key: str, route: Route, tried: Iterable[str]) -> Instance | None:
        """The instance to try next for this feed; None: none is left to try."""
        now = self.clock()
        done = set(tried)
        left = [
            i for i in route.instances if i.id not in done and not self.paused(i.id, now)
        ]  # fmt: skip
        ready = [i for i in left if not self.resting(feed_key, i.id, now)]
        return next(iter(ready or left), None)

    def paused(self, instance_id: str, now: float) -> bool:
        until = self.instance(instance_id).paused_until
        return until is not None and until > now

    def resting(self, feed_key: str, instance_id: str, now: float) -> bool:
        route = self.route_health.get((feed_key, instance_id))
        rests = (self.instance(instance_id).rest_until, route.rest_until if route else None)
        return any(until is not None and until > now for until in rests)

    def knows(self, feed_key: str) -> bool:
        """Whether any instance has served or failed this feed's route before."""
        if self._known is None:
            self._known = {key for key, _ in self.route_health}
        return feed_key in self._known

    def validators(
        self, feed_key: str, instance_id: str, url: str
    ) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified this instance gave for this URL (not another's)."""
        health = self.route_health.get((feed_key, instance_id))
        if health is None or health.url != url:
            return None, None
        return health.etag, health.last_modified

    def succeeded(self, feed_key: str, instance_id: str) -> None:
        now = self.clock()
        health = self.instance(instance_id)
        if health.failures or health.rest_until or health.paused_until or health.error:
            health.failures, health.rest_until, health.paused_until, health.error = (
                0,
                None,
                None,
                None,
            )
        health.last_ok_at, health.changed = now, True
        route = self.on_route(feed_key, instance_id)
        route.failures, route.rest_until, route.error = 0, None, None
        route.last_ok_at, route.changed = now, True

    def failed(self, feed_key: str, instance_id: str, failure: Failure) -> None:
        """Rest the instance (or pause it, or rest it for this route) after a failure."""
        now = self.clock()
        error = failure.error
        if failure.scope in (PAUSE, INSTANCE):
            health = self.instance(instance_id)
            health.error, health.failed_at, health.changed = _words(error), now, True
            if self.paused(instance_id, now) or (
                failure.scope == INSTANCE and _after(health.rest_until, now)
            ):
                return  # the same outage, met by a feed already in flight: counted once
            health.failures += 1
            delay = backoff_delay(health.failures, self.retry_base, self.retry_max, self.rng)
            if failure.scope == PAUSE:
                if error.retry_after is not None:  # the instance said how long
                    delay = min(error.retry_after, self.retry_max)
                health.paused_until = now + delay
            else:
                health.rest_until = now + delay
            return
        route = self.on_route(feed_key, instance_id)
        route.failures += 1
        route.error, route.failed_at, route.changed = _words(error), now, True
        route.rest_until = now + backoff_delay(
            route.failures, self.retry_base, self.retry_max, self.rng
        )

    def paused_until(self, route: Route) -> float | None:
        """When the first of a route's instances takes requests again, if all are paused."""
        now = self.clock()
        untils = [self.instance(i.id).paused_until for i in route.instances]
        if all(until is not None and until > now for until in untils):
            return min(until for until in untils if until is not None)
        return None


def _after(until: float | None, now: float) -> bool:
    return until is not None and until > now


def _words(error: FetchError) -> str:
    return f"{error.kind}: {error.message}"


def combined_error(
    route: Route, failures: list[tuple[Instance, Failure]], book: RouteBook
) -> FetchError:
    """A feed's error when no instance served it: each instance's failure, or its pause."""
    now = book.clock()
    several = len(route.instances) > 1
    parts: list[str] = []
    tried = {instance.id for instance, _ in failures}
    for instance, failure in failures:
        parts.append(
            f"{instance.label}: {failure.error.message}" if several else failure.error.message
        )
    for instance in route.instances:
        until = book.instance(instance.id).paused_until
        if instance.id not in tried and until is not None and until > now:
            label = f"{instance.label}: " if several else ""
            parts.append(f"{label}asked us to wait ({until - now:.0f} s more): not asked again yet")
    errors = [failure.error for _, failure in failures]
    kinds = {error.kind for error in errors} or {"busy"}
    statuses = {error.status for error in errors}
    retry_after = None
    if all(failure.scope == PAUSE for _, failure in failures):
        # Every instance asked us to wait: the feed is tried again when the first one may be.
        untils = [book.instance(i.id).paused_until for i in route.instances]
        waits = [until - now for until in untils if until is not None and until > now]
        retry_after = min(waits) if waits else None
    return FetchError(
        kinds.pop() if len(kinds) == 1 else "rsshub",
        "; ".join(parts) or "no RSSHub instance to ask",
        status=statuses.pop() if len(statuses) == 1 else None,
        retry_after=retry_after,
    )
