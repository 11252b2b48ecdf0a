"""fetch: real HTTP on 127.0.0.1: conditional GET, gzip, limits, errors, politeness."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from rsspress.config import FetchConfig
from rsspress.fetch import FetchRequest, FetchResult, fetch_all

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def fetch(*requests: FetchRequest, **settings: Any) -> list[FetchResult]:
    async def collect() -> list[FetchResult]:
        return [r async for r in fetch_all(requests, FetchConfig(**settings))]

    return asyncio.run(collect())


def test_conditional_get_sends_validators_and_304_means_not_modified(
    httpserver: HTTPServer,
) -> None:
    seen: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            FEED, headers={"ETag": '"v1"', "Last-Modified": "Sun, 28 Nov 2021 02:00:00 GMT"}
        )

    httpserver.expect_request("/feed").respond_with_handler(handler)
    url = httpserver.url_for("/feed")

    (first,) = fetch(FetchRequest("k", url))
    (second,) = fetch(FetchRequest("k", url, first.etag, first.last_modified))

    assert (first.outcome, first.body, first.etag) == ("ok", FEED, '"v1"')
    assert second.outcome == "not_modified" and second.body is None
    assert seen[1]["If-None-Match"] == '"v1"'
    assert seen[1]["If-Modified-Since"] == "Sun, 28 Nov 2021 02:00:00 GMT"
    assert seen[0]["User-Agent"].startswith("rsspress/")
    assert "gzip" in seen[0]["Accept-Encoding"]


def test_gzip_bodies_are_decoded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(FEED), headers={"Content-Encoding": "gzip"}
    )
    (result,) = fetch(FetchRequest("k", httpserver.url_for("/feed")))
    assert result.body == FEED


def test_redirects_are_followed_up_to_the_limit(httpserver: HTTPServer) -> None:
    for n in range(5):
        httpserver.expect_request(f"/r{n}").respond_with_response(
            Response(status=302, headers={"Location": f"/r{n + 1}"})
        )
    httpserver.expect_request("/r5").respond_with_data(FEED)

    (near,) = fetch(FetchRequest("near", httpserver.url_for("/r3")), max_redirects=2)
    (far,) = fetch(FetchRequest("far", httpserver.url_for("/r0")), max_redirects=2)

    assert near.outcome == "ok" and near.body == FEED
    assert far.outcome == "error" and far.error is not None and far.error.kind == "redirects"


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [(500, {}, "http"), (404, {}, "http"), (429, {"Retry-After": "120"}, "http")],
)
def test_http_errors_are_values(
    httpserver: HTTPServer, status: int, headers: dict[str, str], kind: str
) -> None:
    httpserver.expect_request("/feed").respond_with_data("no", status=status, headers=headers)
    (result,) = fetch(FetchRequest("k", httpserver.url_for("/feed")))
    assert result.outcome == "error" and result.error is not None
    assert (result.error.kind, result.error.status) == (kind, status)
    assert result.error.retry_after == (120.0 if status == 429 else None)


def test_a_declared_oversize_body_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"x" * 5000)
    (result,) = fetch(FetchRequest("k", httpserver.url_for("/feed")), max_bytes=1000)
    assert result.error is not None and result.error.kind == "too_large"


def test_dns_and_refused_connections_are_named() -> None:
    dns, refused = sorted(
        fetch(
            FetchRequest("dns", "http://no-such-host.invalid/feed"),
            FetchRequest("refused", "http://127.0.0.1:9/feed"),
        ),
        key=lambda r: r.request.key,
    )
    assert dns.error is not None and dns.error.kind == "dns"
    assert refused.error is not None and refused.error.kind == "refused"


def test_local_files_use_mtime_and_size_as_validator(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(FEED)
    (first,) = fetch(FetchRequest("k", path.as_uri()))
    (second,) = fetch(FetchRequest("k", path.as_uri(), first.etag))
    (missing,) = fetch(FetchRequest("k", (tmp_path / "nope.xml").as_uri()))
    assert first.body == FEED and second.outcome == "not_modified"
    assert missing.error is not None and missing.error.kind == "io"


class SlowHandler(BaseHTTPRequestHandler):
    """Answers after a pause, counting how many requests are in hand at once."""

    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    active: ClassVar[int] = 0
    peak: ClassVar[int] = 0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        cls = type(self)
        with cls.lock:
            cls.active += 1
            cls.peak = max(cls.peak, cls.active)
        time.sleep(0.2)
        with cls.lock:
            cls.active -= 1
        self.send_response(200)
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)


@pytest.fixture
def slow_server() -> Iterator[int]:
    SlowHandler.active = SlowHandler.peak = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_requests_per_host_are_bounded(slow_server: int) -> None:
    requests = [FetchRequest(f"k{n}", f"http://127.0.0.1:{slow_server}/{n}") for n in range(12)]
    results = fetch(*requests, per_host=3, concurrency=64)
    assert all(r.outcome == "ok" for r in results)
    assert SlowHandler.peak == 3


def test_requests_overall_are_bounded(slow_server: int) -> None:
    # two host names for one server: the global bound must still hold
    requests = [
        FetchRequest(f"k{n}", f"http://{host}:{slow_server}/{n}")
        for n in range(8)
        for host in ("127.0.0.1", "localhost")
    ]
    results = fetch(*requests, per_host=4, concurrency=2)
    assert all(r.outcome == "ok" for r in results)
    assert SlowHandler.peak == 2
