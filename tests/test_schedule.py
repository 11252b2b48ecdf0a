"""schedule: adaptive polling, backoff, host pauses and dead feeds, on an injected clock."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from rsspress.config import DaemonConfig, load_config
from rsspress.schedule import (
    backoff_delay,
    death,
    feed_ttl,
    next_poll_at,
    publishing_interval,
    retry_at,
)
from rsspress.store import Store
from rsspress.update import run_update

HOUR, DAY = 3600.0, 86400.0
T = 1_800_000_000.0  # the injected "now"
BOUNDS = DaemonConfig(min_interval=300, max_interval=DAY, dead_after=7 * DAY)


def every(seconds: float, count: int) -> list[float]:
    return [T - n * seconds for n in range(count)]


def test_polling_follows_the_publishing_rate_within_bounds() -> None:
    assert publishing_interval(every(HOUR, 200), T, BOUNDS) == pytest.approx(HOUR, rel=0.01)
    assert publishing_interval(every(DAY, 30), T, BOUNDS) == DAY
    assert publishing_interval([], T, BOUNDS) == DAY  # never publishes: the maximum
    assert publishing_interval(every(DAY, 30), T, DaemonConfig(max_interval=12 * HOUR)) == 12 * HOUR
    assert publishing_interval(every(10, 5000), T, BOUNDS) == 300  # the minimum
    # items from last month or "from the future" say nothing about this week
    assert publishing_interval([T - 30 * DAY, T + DAY], T, BOUNDS) == DAY


def test_never_sooner_than_ttl_or_cache_headers() -> None:
    hourly = every(HOUR, 200)
    assert next_poll_at(T, hourly, BOUNDS) == pytest.approx(T + HOUR, rel=1e-6)
    assert next_poll_at(T, hourly, BOUNDS, ttl=2 * HOUR) == T + 2 * HOUR
    assert next_poll_at(T, hourly, BOUNDS, fresh_for=3 * HOUR) == T + 3 * HOUR
    assert next_poll_at(T, hourly, BOUNDS, ttl=60) == pytest.approx(T + HOUR, rel=1e-6)
    # a broken header cannot silence a feed for more than a week
    assert next_poll_at(T, hourly, BOUNDS, fresh_for=10**9) == T + 7 * DAY
    assert feed_ttl(b"<rss><channel><ttl> 15 </ttl>") == 900
    assert feed_ttl(b"<rss><channel><title>x</title>") is None


def test_errors_back_off_exponentially_with_jitter_and_honour_retry_after() -> None:
    rng = random.Random(1)
    for failures, base in ((1, 300), (2, 600), (3, 1200), (10, DAY)):
        delays = [backoff_delay(failures, 300, DAY, rng) for _ in range(200)]
        assert min(delays) >= 0.8 * base and max(delays) <= 1.2 * base
        assert max(delays) - min(delays) > 0.2 * base  # jitter: feeds do not retry in step
    assert retry_at(T, 1, 300, DAY, rng, retry_after=7200) == T + 7200
    assert retry_at(T, 1, 300, DAY, rng, retry_after=10 * DAY) == T + DAY  # capped


def test_gone_or_failing_too_long_is_dead() -> None:
    assert death(410, None, T, BOUNDS) is not None
    assert death(500, T - DAY, T, BOUNDS) is None
    reason = death(500, T - 8 * DAY, T, BOUNDS)
    assert reason is not None and "8.0 days" in reason


def rss_items(times: list[float]) -> bytes:
    items = "".join(
        f"<item><title>n{n}</title><guid>g{n}-{t}</guid><description>x</description>"
        f"<pubDate>{dt.datetime.fromtimestamp(t, dt.UTC):%a, %d %b %Y %H:%M:%S GMT}</pubDate></item>"
        for n, t in enumerate(times)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>{items}</channel></rss>'.encode()


def test_the_daemon_schedule_on_real_feeds_with_an_injected_clock(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    """Hourly, daily and silent feeds get their intervals; a 429 host waits as it asked."""
    httpserver.expect_request("/hourly").respond_with_data(rss_items(every(HOUR, 30)))
    httpserver.expect_request("/daily").respond_with_data(rss_items(every(DAY, 10)))
    httpserver.expect_request("/never").respond_with_data(rss_items([]))
    httpserver.expect_request("/busy1").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    httpserver.expect_request("/busy2").respond_with_data(rss_items(every(HOUR, 3)))
    # Two host names for the one server: the feeds' host, and a busy one (RSSHub's, say).
    host, busy = f"http://127.0.0.1:{httpserver.port}", f"http://localhost:{httpserver.port}"
    config_path = tmp_path / "rsspress.yaml"
    config_path.write_text(
        "output: {dir: posts, format: hexo}\n"
        f'state: "{state}"\n'
        "daemon: {min_interval: 5m, max_interval: 24h}\n"
        "fetch: {per_host: 1}\n"  # busy1 is fetched before busy2: the pause then holds busy2
        "feeds:\n  g:\n    s:\n"
        f"      hourly: {host}/hourly\n"
        f"      daily: {host}/daily\n"
        f"      never: {host}/never\n"
        f"      busy1: {busy}/busy1\n",
        encoding="utf-8",
    )
    config = load_config(config_path)
    now = T

    def fetched(path: str) -> int:
        return sum(1 for request, _ in httpserver.log if request.path == path)

    summary = run_update(config, scheduled=True, clock=lambda: now)
    assert (summary.fetched, summary.failed) == (3, 1)
    with Store(config.state) as store:
        states = {s.name: s for s in store.feed_states().values()}
        paused = store.paused_hosts(now)
    assert states["hourly"].next_poll_at == pytest.approx(now + HOUR, abs=2)
    assert states["daily"].next_poll_at == now + DAY
    assert states["never"].next_poll_at == now + DAY
    assert states["busy1"].next_attempt_at == now + 3600
    assert paused == {"localhost": now + 3600}

    # A feed added on the paused host waits for the host, though it was never fetched.
    config_path.write_text(
        config_path.read_text("utf-8") + f"      busy2: {busy}/busy2\n", encoding="utf-8"
    )
    config = load_config(config_path)
    now = T + 600
    summary = run_update(config, scheduled=True, clock=lambda: now)
    assert summary.fetched + summary.not_modified + summary.failed == 0
    assert summary.skipped == 5
    assert fetched("/busy2") == 0

    # An hour later: the hourly feed and the host's feeds are due, the daily one is not.
    now = T + HOUR + 1
    summary = run_update(config, scheduled=True, clock=lambda: now)
    assert (fetched("/hourly"), fetched("/daily"), fetched("/never")) == (2, 1, 1)
    assert (fetched("/busy1"), fetched("/busy2")) == (2, 1)

    # `run` (no schedule) fetches every feed that is not backing off.
    now = T + HOUR + 2
    summary = run_update(config, clock=lambda: now)
    assert (fetched("/hourly"), fetched("/daily"), fetched("/never")) == (3, 2, 2), summary


def test_a_gone_feed_is_dead_until_forced(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    httpserver.expect_request("/gone").respond_with_data("gone", status=410)
    (tmp_path / "rsspress.yaml").write_text(
        f"state: \"{state}\"\nfeeds: {{g: {{s: {{gone: '{httpserver.url_for('/gone')}'}}}}}}\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "rsspress.yaml")
    run_update(config, clock=lambda: T)
    with Store(config.state) as store:
        (feed,) = store.feed_states().values()
    assert feed.dead_reason is not None and "410" in feed.dead_reason
    later = run_update(config, clock=lambda: T + 30 * DAY)
    assert later.skipped == 1 and len(httpserver.log) == 1
    run_update(config, force=True, clock=lambda: T + 30 * DAY)
    assert len(httpserver.log) == 2
