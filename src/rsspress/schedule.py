"""When each feed is fetched next. Pure: times in, times out; the clock is the caller's.

- A healthy feed is polled as often as it publishes: the average gap between
  its items of the last week, within the daemon's bounds, and never sooner
  than the feed (``<ttl>``) or the server (``Cache-Control``, ``Expires``)
  allows.
- A failing feed backs off exponentially with jitter; a ``Retry-After`` is a
  floor. A 429, or a 503 with ``Retry-After``, pauses the whole host; any other
  5xx is that feed's alone (RSSHub answers 503 when one route breaks).
- HTTP 410, or failing for longer than ``dead_after``, makes a feed dead.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from rsspress.config import DaemonConfig
from rsspress.model import FeedState

WEEK = 7 * 86400.0
_TTL = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.IGNORECASE)


def feed_ttl(body: bytes) -> float | None:
    """An RSS channel's ``<ttl>`` (minutes) in seconds; looked for near the top only."""
    match = _TTL.search(body[:16384])
    return float(match.group(1)) * 60 if match else None


def publishing_interval(item_times: Iterable[float], now: float, daemon: DaemonConfig) -> float:
    """The poll interval a feed's recent items call for, within the daemon's bounds.

    The average gap between its items dated within the last week (an hourly
    feed is polled hourly even when it shows only its last 20 items), growing
    as the feed falls silent (half the time since its newest item); a feed
    with fewer than two items this week is polled at the maximum interval.
    """
    recent = sorted(t for t in item_times if now - WEEK < t <= now)
    if len(recent) >= 2:
        gap = (recent[-1] - recent[0]) / (len(recent) - 1)
        interval = max(gap, (now - recent[-1]) / 2)
    else:
        interval = daemon.max_interval
    return min(daemon.max_interval, max(daemon.min_interval, interval))


def next_poll_at(
    now: float,
    item_times: Iterable[float],
    daemon: DaemonConfig,
    *,
    ttl: float | None = None,
    fresh_for: float | None = None,
) -> float:
    """When a healthy feed is due again."""
    interval = publishing_interval(item_times, now, daemon)
    floors = [f for f in (ttl, fresh_for) if f is not None]
    if floors:
        # The feed and the server may ask for longer than max_interval: they win,
        # up to a week (a wrong header must not silence a feed for ever).
        interval = max(interval, min(max(floors), WEEK))
    return now + interval


def pauses_host(status: int | None, retry_after: float | None) -> bool:
    """Whether a failure asks every feed of the host to wait: 429, or 503 with Retry-After.

    A 503 without ``Retry-After`` is one feed's trouble (RSSHub's answer when one
    route breaks: its other routes are fine), so it backs off that feed alone.
    """
    return status == 429 or (status == 503 and retry_after is not None)


def backoff_delay(failures: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with ±20 % jitter: base, 2·base, 4·base … up to cap."""
    delay = min(cap, base * 2.0 ** max(0, failures - 1))
    return delay * rng.uniform(0.8, 1.2)


def retry_at(
    now: float,
    failures: int,
    base: float,
    cap: float,
    rng: random.Random,
    retry_after: float | None = None,
) -> float:
    """When a failing feed is tried again: backoff, and never before its Retry-After."""
    delay = backoff_delay(failures, base, cap, rng)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return now + delay


def death(
    status: int | None, first_failure_at: float | None, now: float, daemon: DaemonConfig
) -> str | None:
    """Why a failing feed is dead, or None while it is alive.

    HTTP 410 says so; so does failing for longer than ``daemon.dead_after``.
    """
    if status == 410:
        return "HTTP 410 Gone: the publisher removed this feed"
    if first_failure_at is not None and now - first_failure_at >= daemon.dead_after:
        days = (now - first_failure_at) / 86400
        return f"failing for {days:.1f} days (daemon.dead_after)"
    return None


def next_wake(
    states: Iterable[FeedState], paused_hosts: dict[str, float], hosts: dict[str, str | None]
) -> float | None:
    """The earliest time a feed becomes due (for the daemon's sleep); None: none ever will.

    ``hosts`` maps each feed key to its URL's host.
    """
    wake: float | None = None
    for state in states:
        if state.dead_reason is not None:
            continue
        due = (
            state.next_attempt_at if state.last_outcome == "error" else state.next_poll_at
        ) or 0.0
        if state.lease_until is not None:
            due = max(due, state.lease_until)  # another worker has it until then
        host = hosts.get(state.key)
        if host is not None and host in paused_hosts:
            due = max(due, paused_hosts[host])
        wake = due if wake is None else min(wake, due)
    return wake
