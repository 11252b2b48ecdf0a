"""`rsspress daemon`, the real process: polls, publishes in batches, /metrics, clean stop."""

from __future__ import annotations

import signal
import time
import urllib.request
from pathlib import Path

from pytest_httpserver import HTTPServer

from conftest import free_port, start_daemon, wait_for
from feeds import rss


def metrics(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


def test_daemon_polls_publishes_in_batches_and_stops_cleanly(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    httpserver.expect_request("/a").respond_with_data(rss("a", 3))
    httpserver.expect_request("/broken").respond_with_data("nope", status=500)
    port = free_port()
    (tmp_path / "rsspress.yaml").write_text(
        "output:\n"
        "  - {dir: posts, format: hexo}\n"
        "  - {dir: site, format: html}\n"
        f'state: "{state}"\n'
        "daemon:\n"
        "  min_interval: 1s\n"
        "  max_interval: 1s\n"
        "  publish_every: 1s\n"
        "  post_publish: 'ls site/a | wc -l >> published.log; test ! -e fail'\n"
        f"  metrics_listen: 127.0.0.1:{port}\n"
        "fetch: {retry_base: 1, retry_max: 1}\n"
        "feeds:\n  g:\n    s:\n"
        f"      a: {httpserver.url_for('/a')}\n"
        f"      broken: {httpserver.url_for('/broken')}\n",
        encoding="utf-8",
    )
    daemon = start_daemon(tmp_path)
    log = tmp_path / "published.log"
    try:
        wait_for(lambda: log.exists() and log.read_text().split() == ["3"], "the first publish")
        assert len(list((tmp_path / "posts").glob("*.md"))) == 3
        # New items arrive: the next poll fetches them and the next batch publishes them.
        httpserver.clear()
        httpserver.expect_request("/a").respond_with_data(rss("a", 5))
        httpserver.expect_request("/broken").respond_with_data("nope", status=500)
        wait_for(lambda: log.read_text().split()[-1:] == ["5"], "the second publish")
        # A failing post-publish command is logged and fetching goes on.
        (tmp_path / "fail").touch()
        httpserver.clear()
        httpserver.expect_request("/a").respond_with_data(rss("a", 6))
        wait_for(lambda: log.read_text().split()[-1:] == ["6"], "a publish whose command fails")
        values = metrics(port)
        assert values['rsspress_fetches_total{outcome="ok"}'] >= 3
        assert values['rsspress_fetches_total{outcome="error"}'] >= 1
        assert values["rsspress_items_new_total"] == 6
        assert values["rsspress_items_published_total"] == 6
        assert values["rsspress_publish_failures_total"] >= 1
        assert values["rsspress_fetch_duration_seconds_count"] >= 4
        assert values["rsspress_last_publish_timestamp_seconds"] > time.time() - 120
        assert "rsspress_due_feeds" in values
        polls = sum(1 for request, _ in httpserver.log if request.path == "/a")
        assert polls >= 1
    finally:
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err
    assert "SIGTERM: finishing the work in hand" in err
    assert "post_publish exited 1" in err  # the failing command, logged with its exit code
    assert "failed g / s / broken: http: HTTP 500" in err
    assert err.rstrip().endswith("stopped")
    assert len(list((tmp_path / "site/a").glob("*.html"))) == 6
