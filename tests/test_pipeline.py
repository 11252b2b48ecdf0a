"""pipeline: failures back off exponentially, Retry-After is honoured, feeds stay apart."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

from conftest import posts_in, run_cli, write_config
from feeds import rss
from rsspress.schedule import backoff_delay


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(n, 300, 3600, rng) for n in range(1, 7)]
    for n, delay in enumerate(delays, start=1):
        nominal = min(3600, 300 * 2 ** (n - 1))
        assert 0.8 * nominal <= delay <= 1.2 * nominal


def test_retry_after_pushes_the_next_attempt_back(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    httpserver.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7200"}
    )
    httpserver.expect_request("/fine").respond_with_data(rss("fine", 2))
    write_config(
        tmp_path,
        f"g:\n  s:\n    busy: {httpserver.url_for('/busy')}\n    fine: {httpserver.url_for('/fine')}\n",
        state=state,
    )
    before = time.time()

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 1
    assert len(posts_in(tmp_path)) == 2
    rows = {r["name"]: r for r in json.loads(run_cli("status", "--json", cwd=tmp_path).stdout)}
    assert rows["busy"]["error"] == "HTTP 429 TOO MANY REQUESTS"
    next_attempt = dt.datetime.fromisoformat(rows["busy"]["next_attempt"]).timestamp()
    assert next_attempt >= before + 7200 - 1
    again = run_cli("run", cwd=tmp_path)  # within the backoff: not fetched again
    # A 429 pauses the whole host (RSSHub serves every route from one), so the
    # healthy feed on it waits too.
    assert "2 backing off" in again.stdout
    assert len([r for r in httpserver.log if r[0].path == "/busy"]) == 1
    assert len([r for r in httpserver.log if r[0].path == "/fine"]) == 1


def test_a_body_that_is_not_a_feed_is_a_parse_error(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    httpserver.expect_request("/html").respond_with_data("<html><body>登录</body></html>")
    write_config(tmp_path, f"g:\n  s:\n    page: {httpserver.url_for('/html')}\n", state=state)
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 3  # its only feed failed: every feed failed
    assert "parse: not a feed" in result.stderr


def test_a_nul_in_a_json_feed_is_published_once_on_either_state(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    """JSON can escape a NUL (XML cannot hold one); PostgreSQL refuses NUL in text. It reads
    as U+FFFD (as a browser's tokenizer makes it), so the item is recorded, and its key
    reads back as it was written: the next run publishes nothing again."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "nul",
        "items": [{"id": "a\u0000b", "url": "https://example.test/1", "title": "t\u0000itle",
                   "content_html": "<p>x\u0000y</p>", "tags": ["c\u0000"]}],
    }  # fmt: skip
    httpserver.expect_request("/nul.json").respond_with_data(
        json.dumps(feed), content_type="application/feed+json"
    )
    write_config(tmp_path, f"g:\n  s:\n    f: {httpserver.url_for('/nul.json')}\n", state=state)
    first = run_cli("run", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (post,) = posts_in(tmp_path)
    text = post.read_text("utf-8")
    assert "\x00" not in text and "t\ufffditle" in text
    again = run_cli("run", "--force", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "0 posts written" in again.stdout
    assert posts_in(tmp_path) == [post]
