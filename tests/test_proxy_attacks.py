"""The image proxy against a stranger's feed: Unicode hosts, port scans, banners, lying types.

Every loopback attack runs through the live proxy with a live server on the
attacked port that answers 200 with an image: a hole shows as a 200 (or as a
request in the server's log). Private and metadata forms are judged by the
same guard with no traffic at all.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import free_port, posts_in, run_cli, write_config
from proxy_support import LOOPBACK_ONLY, PNG, RunningProxy, get, start_proxy
from rsspress.guard import (
    ForbiddenAddress,
    GuardedConnector,
    GuardedResolver,
    forbidden_cause,
    public_url,
)
from rsspress.proxy.server import UNAVAILABLE_BODY, UNAVAILABLE_STATUS

__all__ = ["start_proxy"]  # a fixture, used by name
GENERIC = (UNAVAILABLE_STATUS, UNAVAILABLE_BODY.encode())

# 127.0.0.1 as IDNA and the WHATWG host parser read it: full-width digits and dots,
# ideographic and other Unicode full stops, circled and mathematical digits,
# percent-encoding, soft hyphens and zero-width characters that IDNA maps away.
UNICODE_LOOPBACK = [
    "１２７.０.０.１", "127。0。0。1", "127．0．0．1", "127｡0｡0｡1", "①②⑦.0.0.1", "𝟏𝟐𝟕.𝟎.𝟎.𝟏",
    "𝟙𝟚𝟟.𝟘.𝟘.𝟙", "%31%32%37.0.0.1", "%EF%BC%91%EF%BC%92%EF%BC%97.0.0.1", "127.0.0.1%2E",
    "1\u00ad27.0.0.1", "12\u200b7.0.0.1", "０ｘ７ｆ.1", "２１３０７０６４３３", "127.0.0.1。",
    "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ", "ｌｏｃａｌｈｏｓｔ", "LOCALHOST.", "localhost%2e",
]  # fmt: skip


@pytest.mark.parametrize("host", UNICODE_LOOPBACK)
def test_unicode_spellings_of_loopback_are_refused(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer, host: str
) -> None:
    httpserver.expect_request("/secret.png").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy()
    assert get(proxy.url(f"http://{host}:{httpserver.port}/secret.png"))[:3:2] == GENERIC
    assert not httpserver.log  # not one request reached the attacked port


@pytest.mark.parametrize("host", UNICODE_LOOPBACK[:8])
def test_unicode_spellings_in_a_redirect_location_are_refused(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer, host: str
) -> None:
    # The first hop is on a name only the allow-list lets through (localhost's ::1 is not in
    # it): the redirect then names 127.0.0.1 in Unicode, which the allow-list does not cover.
    target = f"http://{host}:{httpserver.port}/secret.png"
    httpserver.expect_request("/hop").respond_with_response(
        Response(status=302, headers={"Location": target})
    )
    httpserver.expect_request("/secret.png").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)
    assert get(proxy.url(httpserver.url_for("/secret.png")))[0] == 200  # the port is live
    httpserver.clear_log()
    proxy_blocked = start_proxy()  # nothing allowed: the redirect's host is what is judged
    assert get(proxy_blocked.url(f"http://127.0.0.1:{httpserver.port}/hop"))[:3:2] == GENERIC
    assert not httpserver.log


def test_a_unicode_redirect_from_an_allowed_host_is_judged_on_its_own(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    # 127.0.0.1 is allowed, 127.0.0.2 is not: the Location spells 127.0.0.2 in full width.
    httpserver.expect_request("/hop").respond_with_response(
        Response(
            status=302, headers={"Location": f"http://１２７.０.０.２:{httpserver.port}/x.png"}
        )
    )
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)
    assert get(proxy.url(httpserver.url_for("/hop")))[:3:2] == GENERIC
    assert [r.path for r, _ in httpserver.log] == ["/hop"]


@pytest.mark.parametrize(
    "url",
    [
        "http://ex!ample.com/a.png",  # WHATWG keeps "!" in a host; no domain name has it
        "http://exa$mple.com/a.png",
        "http://a..b/a.png",
        "http://-a.com./a.png",
        "http://1.2.3.4.5/a.png",  # a numeric last label is an IPv4 address or nothing
        "http://user@example.com/a.png",
        "http:evil.com@127.0.0.1/a.png",
        "https://0:0/a.png",
        "HTTP://[::1]/a.png",
        "http://[::1%25eth0]/a.png",
    ],
)
def test_hosts_that_are_not_domain_names_or_carry_credentials_are_refused(url: str) -> None:
    with pytest.raises(ForbiddenAddress):
        public_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://例子.测试/a.png", "http://xn--fsqu00a.xn--0zwm56d/a.png"),
        ("https://ZKRES1.MyZaker.com/a.png?x=1", "https://zkres1.myzaker.com/a.png?x=1"),
        ("http://img_1.example.com/a b.png", "http://img_1.example.com/a%20b.png"),
        ("https://xn--fsqu00a.xn--0zwm56d/", "https://xn--fsqu00a.xn--0zwm56d/"),
        ("https://8.8.8.8/a.png", "https://8.8.8.8/a.png"),
        ("https://[2606:4700:4700::1111]/", "https://[2606:4700:4700::1111]/"),
    ],
)
def test_real_domain_names_pass_normalised(url: str, expected: str) -> None:
    assert public_url(url) == expected


def banner_server(banner: bytes) -> tuple[int, Callable[[], None]]:
    """A TCP service that is not HTTP: it greets, then hangs up (an SSH or SMTP server)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(banner)
                time.sleep(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def close() -> None:
        stop.set()
        thread.join(5)
        server.close()

    return server.getsockname()[1], close


def test_closed_open_and_non_http_ports_look_the_same(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    banner = b"SSH-2.0-OpenSSH_9.6p1 Debian-3 secret-build-id\r\n"
    port, close = banner_server(banner)
    httpserver.expect_request("/page").respond_with_data(
        "<html>admin</html>", content_type="text/html"
    )
    httpserver.expect_request("/missing.png").respond_with_data("nginx 404 page", status=404)
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)  # reachable, so only the answers differ
    try:
        answers = {
            "closed": get(proxy.url(f"http://127.0.0.1:{free_port()}/a.png")),
            "banner": get(proxy.url(f"http://127.0.0.1:{port}/a.png")),
            "html": get(proxy.url(httpserver.url_for("/page"))),
            "404": get(proxy.url(httpserver.url_for("/missing.png"))),
        }
    finally:
        close()
    for name, (status, headers, body) in answers.items():
        assert (status, body) == GENERIC, name
        assert b"SSH" not in body and b"admin" not in body
        assert headers["Content-Length"] == str(len(UNAVAILABLE_BODY))
        assert headers["Cache-Control"] == "no-store"
    metrics = get(f"{proxy.metrics_base}/metrics")[2]
    assert b'kind="connect"' in metrics and b'kind="not_image"' in metrics


def test_a_name_that_resolves_to_loopback_is_refused_without_saying_where(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/a.png").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy()
    status, _, body = get(proxy.url(f"http://localhost:{httpserver.port}/a.png"))
    assert (status, body) == GENERIC and not httpserver.log

    async def resolve() -> None:
        await GuardedResolver().resolve("localhost", httpserver.port)

    with pytest.raises(ForbiddenAddress) as caught:
        asyncio.run(resolve())
    assert "127.0.0.1" not in str(caught.value) and "::1" not in str(caught.value)


def test_the_peer_address_is_judged_after_connect(httpserver: HTTPServer) -> None:
    # A connector whose check before connect is switched off: the peer check alone must
    # still refuse the loopback connection, whatever led to it.
    httpserver.expect_request("/a.png").respond_with_data(PNG, content_type="image/png")

    class PeerCheckOnly(GuardedConnector):
        def _socket(self, addr_info: Any) -> socket.socket:
            family, kind, proto, _, _ = addr_info
            sock = socket.socket(family=family, type=kind, proto=proto)
            sock.setblocking(False)
            return sock

    async def fetch() -> BaseException | None:
        async with aiohttp.ClientSession(connector=PeerCheckOnly()) as session:
            try:
                async with session.get(f"http://127.0.0.1:{httpserver.port}/a.png") as response:
                    await response.read()
            except aiohttp.ClientError as exc:
                return exc
        return None

    error = asyncio.run(fetch())
    assert error is not None and forbidden_cause(error) is not None
    assert "loopback" in str(forbidden_cause(error))
    assert not httpserver.log


@pytest.mark.parametrize(
    ("declared", "body", "allow_svg", "served"),
    [
        ("image/png,text/html", PNG, False, "image/png"),
        ("text/html", PNG, False, "image/png"),  # the bytes decide, not the label
        ("image/png; charset=x, text/html", PNG, False, "image/png"),
        ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", False, "image/gif"),
        ("image/png,image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"/>', False, None),
        ("image/png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', False, None),
        ("image/png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', True, "image/svg+xml"),
        ("image/png", b"<html><script>alert(1)</script>", True, None),
    ],
)
def test_the_type_served_is_the_one_the_bytes_show(
    start_proxy: Callable[..., RunningProxy],
    httpserver: HTTPServer,
    declared: str,
    body: bytes,
    allow_svg: bool,
    served: str | None,
) -> None:
    httpserver.expect_request("/x").respond_with_response(
        Response(body, headers={"Content-Type": declared})
    )
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY, allow_svg=allow_svg)
    status, headers, got = get(proxy.url(httpserver.url_for("/x")))
    if served is None:
        assert (status, got) == GENERIC
    else:
        assert (status, got, headers["Content-Type"]) == (200, body, served)


def test_metrics_are_not_on_the_public_listener(
    start_proxy: Callable[..., RunningProxy],
) -> None:
    proxy = start_proxy()
    assert get(f"{proxy.base}/metrics")[0] == 404
    assert get(f"{proxy.metrics_base}/metrics")[0] == 200


@pytest.fixture
def attacked_port() -> Iterator[tuple[int, list[str]]]:
    """A live image server on loopback that records every request it gets."""
    seen: list[str] = []

    async def image(request: aiohttp.web.Request) -> aiohttp.web.Response:
        seen.append(request.path)
        return aiohttp.web.Response(body=PNG, content_type="image/png")

    loop = asyncio.new_event_loop()
    app = aiohttp.web.Application()
    app.router.add_get("/{tail:.*}", image)
    runner = aiohttp.web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield runner.addresses[0][1], seen
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_a_feed_planting_unicode_hosts_gets_signed_urls_the_proxy_refuses(
    tmp_path: Path, httpserver: HTTPServer, attacked_port: tuple[int, list[str]]
) -> None:
    """Through the real CLI: `rsspress run` signs what the feed wrote; `rsspress proxy` refuses it."""
    port, seen = attacked_port
    images = "".join(f'<p><img src="http://{host}:{port}/{n}.png"></p>'
                     for n, host in enumerate(UNICODE_LOOPBACK[:6]))  # fmt: skip
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>t</title>'
        f"<guid>1</guid><description><![CDATA[{images}]]></description></item></channel></rss>"
    )
    proxy_port = free_port()
    config = write_config(tmp_path, f"g:\n  s:\n    f: {httpserver.url_for('/feed.xml')}\n")
    text = re.sub(
        r"images:\n(  .*\n)+",
        f"images:\n  proxy: self\n  proxy_base: http://127.0.0.1:{proxy_port}\n"
        f"  proxy_listen: 127.0.0.1:{proxy_port}\n",
        config.read_text(encoding="utf-8"),
    )
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, "RSSPRESS_PROXY_KEY": "attack-test-key"}
    assert run_cli("run", cwd=tmp_path, env=env).returncode == 0
    (post,) = posts_in(tmp_path)
    urls = re.findall(rf'"(http://127\.0\.0\.1:{proxy_port}/[^"]+)"', post.read_text("utf-8"))
    assert len(set(urls)) >= 6
    server = subprocess.Popen(
        [sys.executable, "-m", "rsspress", "proxy"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if get(f"http://127.0.0.1:{proxy_port}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        answers = [get(url)[:3:2] for url in dict.fromkeys(urls)]
    finally:
        server.terminate()
        _, log = server.communicate(timeout=15)
    assert set(answers) == {GENERIC}
    assert seen == []  # the attacked port never heard from the proxy
    assert "forbidden" in log  # the reason is in the proxy's log, not in its answers
