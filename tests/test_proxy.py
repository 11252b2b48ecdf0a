"""The image proxy over real HTTP: signatures, SSRF, only images, limits, headers, cache.

SSRF attempts that target loopback go through the running proxy, with a live
server on the attacked port so that a guard failure would show as a 200. The
private, link-local and public ranges are judged by the same check functions
without any network traffic: a bug must never send a packet off this machine.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import posts_in, run_cli, write_config
from proxy_support import KEY, LOOPBACK_ONLY, PNG, RunningProxy, get, start_proxy
from rsspress.config import CleanupRule, parse_networks
from rsspress.proxy.server import (
    UNAVAILABLE_BODY,
    UNAVAILABLE_STATUS,
    ProxySettings,
    Refused,
    check_url,
)
from rsspress.signing import encode

__all__ = ["start_proxy"]  # a fixture, used by name

# -- SSRF --------------------------------------------------------------------

LOOPBACK_TARGETS = [
    "127.0.0.1", "127.1", "127.0.1", "0", "0.0.0.0", "2130706433", "0177.0.0.1", "0x7f.0.0.1",
    "0x7f000001", "017700000001", "127.255.255.254", "[::1]", "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::ffff:0:7f00:1]", "[64:ff9b::7f00:1]",
    "[2002:7f00:1::]", "[::127.0.0.1]", "[::]", "localhost", "LOCALHOST", "LocalHost",
    "127.0.0.1.",
]  # fmt: skip


@pytest.mark.parametrize("host", LOOPBACK_TARGETS)
def test_loopback_in_any_spelling_is_refused(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer, host: str
) -> None:
    # A live image on the attacked port: were the guard to fail, this would be a 200.
    httpserver.expect_request("/secret.png").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy()
    status, _, body = get(proxy.url(f"http://{host}:{httpserver.port}/secret.png"))
    assert (status, body) == (UNAVAILABLE_STATUS, UNAVAILABLE_BODY.encode())
    assert not httpserver.log


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com@127.0.0.1:{port}/secret.png",
        "http://user:pass@example.com/a.png",
        "file:///etc/passwd",
        "gopher://127.0.0.1:{port}/_GET",
        "ftp://127.0.0.1/a.png",
        "javascript:alert(1)",
        "http:///a.png",
    ],
)
def test_userinfo_and_other_schemes_are_refused(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer, url: str
) -> None:
    httpserver.expect_request("/secret.png").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy()
    status, _, body = get(proxy.url(url.format(port=httpserver.port)))
    assert (status, body) == (UNAVAILABLE_STATUS, UNAVAILABLE_BODY.encode())
    assert not httpserver.log


PRIVATE_TARGETS = [
    "10.0.0.1", "10.255.255.255", "167772161", "012.0.0.1", "0xa.0.0.1", "172.16.0.1",
    "172.31.255.255", "192.168.1.1", "192.168.0.1", "100.64.0.1", "100.127.255.254",
    "169.254.169.254", "169.254.170.2", "100.100.100.200", "2852039166", "0xa9fea9fe",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.1",
    "[fe80::1]", "[fc00::1]", "[fd00:ec2::254]", "[ff02::1]", "[::ffff:10.0.0.1]",
    "[::ffff:a9fe:a9fe]", "[2002:a9fe:a9fe::]", "[64:ff9b::a00:1]",
    "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
    # special-purpose ranges Python's is_global lets through
    "[fec0::1]", "[fec0::a9fe:a9fe]", "[3fff::1]", "[5f00::1]", "[64:ff9b:1::a9fe:a9fe]",
    "192.0.0.8", "192.0.0.9", "192.88.99.1", "[ff05::1]", "224.0.0.251", "233.252.0.1",
    "[2001:db8::1]", "[100::1]", "0.1.2.3",
    # the metadata address spelled in Unicode: IDNA makes each of them 169.254.169.254
    "１６９.２５４.１６９.２５４", "169。254。169。254", "①⑥⑨.②⑤④.①⑥⑨.②⑤④", "𝟏𝟔𝟗.𝟐𝟓𝟒.𝟏𝟔𝟗.𝟐𝟓𝟒",
    "169．254．169．254", "%31%36%39.254.169.254", "0xA9.0xFE.0xA9.0xFE", "0251.0376.0251.0376",
    "[::ffff:169.254.169.254]", "１０.０.０.１", "⑩.0.0.1", "１９２.１６８.１.１",
]  # fmt: skip


@pytest.mark.parametrize("host", PRIVATE_TARGETS)
def test_private_and_reserved_addresses_are_refused_before_any_connection(host: str) -> None:
    settings = ProxySettings(key=KEY)
    with pytest.raises(Refused) as caught:
        check_url(f"http://{host}/latest/meta-data/", settings)
    assert caught.value.kind == "forbidden"


def test_public_addresses_pass_the_check() -> None:
    for host in ("8.8.8.8", "[2606:4700:4700::1111]", "example.com", "zkres1.myzaker.com"):
        check_url(f"https://{host}/a.png", ProxySettings(key=KEY))


def test_a_redirect_to_a_forbidden_address_is_refused(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    port = httpserver.port
    httpserver.expect_request("/meta").respond_with_response(
        Response(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    )
    httpserver.expect_request("/other-loopback").respond_with_response(
        Response(status=302, headers={"Location": f"http://127.0.0.2:{port}/a.png"})
    )
    httpserver.expect_request("/a.png").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)  # only 127.0.0.1 itself is allowed
    for path in ("/meta", "/other-loopback"):
        status, _, body = get(proxy.url(httpserver.url_for(path)))
        assert (status, body) == (UNAVAILABLE_STATUS, UNAVAILABLE_BODY.encode()), path
    assert get(proxy.url(httpserver.url_for("/a.png")))[0] == 200  # the allow-list works


def test_redirects_past_the_limit_are_refused(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    for n in range(5):
        httpserver.expect_request(f"/r{n}").respond_with_response(
            Response(status=302, headers={"Location": f"/r{n + 1}"})
        )
    httpserver.expect_request("/r5").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)
    assert get(proxy.url(httpserver.url_for("/r2")))[0] == 200  # three redirects: fine
    status, _, body = get(proxy.url(httpserver.url_for("/r1")))  # four: refused
    assert (status, body) == (UNAVAILABLE_STATUS, UNAVAILABLE_BODY.encode())
    metrics = get(f"{proxy.metrics_base}/metrics")[2]
    assert b'rsspress_proxy_upstream_errors_total{kind="redirect"} 1.0' in metrics


# -- signatures ----------------------------------------------------------------


def test_unsigned_or_altered_urls_are_403(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/a.png").respond_with_data(PNG, content_type="image/png")
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)
    upstream = httpserver.url_for("/a.png")
    good = proxy.url(upstream)
    assert get(good)[0] == 200
    sig, encoded = good.rsplit("/", 2)[-2:]
    other = encode(httpserver.url_for("/b.png"))
    for bad in (
        f"{proxy.base}/{'0' * 64}/{encoded}",  # wrong signature
        f"{proxy.base}/{sig}/{other}",  # another URL under this signature
        f"{proxy.base}/{sig[:-1]}/{encoded}",  # truncated signature
        proxy.url(upstream, key=b"another key"),  # signed with another key
        f"{proxy.base}/{sig}/%%%",  # not base64
    ):
        assert get(bad)[0] == 403, bad


# -- only images, within limits ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html><body>hi</body></html>", "text/html"),
        (b"alert(document.cookie)", "application/javascript"),
        (b"alert(document.cookie)", "image/png"),  # a renamed script
        (b"<html><script>alert(1)</script></html>", "image/jpeg"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
    ],
)
def test_only_images_are_served(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer, body: bytes, content_type: str
) -> None:
    httpserver.expect_request("/x").respond_with_data(body, content_type=content_type)
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)
    status, _, body = get(proxy.url(httpserver.url_for("/x")))
    assert (status, body) == (UNAVAILABLE_STATUS, UNAVAILABLE_BODY.encode())


def test_svg_only_when_configured_and_then_sandboxed(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'
    httpserver.expect_request("/x.svg").respond_with_data(svg, content_type="image/svg+xml")
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY, allow_svg=True)
    status, headers, body = get(proxy.url(httpserver.url_for("/x.svg")))
    assert (status, body) == (200, svg)
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_50_mb_upstream_is_cut_at_the_cap(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    sent = {"bytes": 0}

    def stream() -> Iterator[bytes]:  # no Content-Length: the cap must hold while reading
        yield PNG
        for _ in range(50 * 16):
            sent["bytes"] += 65536
            yield b"\0" * 65536

    httpserver.expect_request("/big.png").respond_with_response(
        Response(stream(), content_type="image/png")
    )
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY, max_bytes=5 * 1024 * 1024)
    status, _, body = get(proxy.url(httpserver.url_for("/big.png")))
    assert (status, body) == (UNAVAILABLE_STATUS, UNAVAILABLE_BODY.encode())
    assert sent["bytes"] < 20 * 1024 * 1024  # it stopped reading long before 50 MB


def test_a_stalled_upstream_times_out(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    done = threading.Event()

    def stall(request: Request) -> Response:
        done.wait(5)  # (the shared test server answers one request at a time: let it go after)
        return Response(PNG, content_type="image/png")

    httpserver.expect_request("/slow.png").respond_with_handler(stall)
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY, read_timeout=0.5, total_timeout=1.0)
    started = time.monotonic()
    try:
        status, _, _ = get(proxy.url(httpserver.url_for("/slow.png")))
        elapsed = time.monotonic() - started
    finally:
        done.set()
    assert status == UNAVAILABLE_STATUS
    assert elapsed < 2.5


# -- headers -----------------------------------------------------------------------


def test_no_cookies_or_client_headers_reach_the_upstream_and_referer_only_by_rule(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    seen: list[dict[str, str]] = []

    def image(request: Request) -> Response:
        seen.append(dict(request.headers))
        return Response(PNG, content_type="image/png", headers={"Set-Cookie": "track=1"})

    httpserver.expect_request("/a.png").respond_with_handler(image)
    httpserver.expect_request("/b.png").respond_with_handler(image)
    rule = CleanupRule(hosts=("localhost",), referer="https://www.myzaker.com/")
    proxy = start_proxy(allowed_networks=parse_networks(("127.0.0.1/32", "::1/128")), rules=(rule,))
    client = {"Cookie": "session=secret", "Authorization": "Bearer x", "Referer": "https://reader/",
              "X-Forwarded-For": "1.2.3.4", "Accept": "image/webp,image/*"}  # fmt: skip
    status, headers, _ = get(proxy.url(f"http://127.0.0.1:{httpserver.port}/a.png"), client)
    assert status == 200 and "Set-Cookie" not in headers
    get(proxy.url(f"http://localhost:{httpserver.port}/b.png"), client)
    first, second = seen
    for upstream in (first, second):
        assert not {"Cookie", "Authorization", "X-Forwarded-For"} & set(upstream)
        assert upstream["Accept"] == "image/webp,image/*"
    assert "Referer" not in first  # no rule for 127.0.0.1: no Referer at all
    assert second["Referer"] == "https://www.myzaker.com/"  # the host's rule asks for one


def test_response_headers_head_and_304(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/a.png").respond_with_data(
        PNG,
        content_type="image/png",
        headers={"ETag": '"v1"', "Last-Modified": "Sun, 28 Nov 2021 01:19:00 GMT"},
    )
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY)
    url = proxy.url(httpserver.url_for("/a.png"))
    status, headers, body = get(url)
    assert (status, body) == (200, PNG)
    assert headers["Content-Type"] == "image/png"
    assert headers["Content-Length"] == str(len(PNG))
    assert headers["ETag"] == '"v1"'
    assert headers["Last-Modified"] == "Sun, 28 Nov 2021 01:19:00 GMT"
    assert "max-age" in headers["Cache-Control"]
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    head_status, head_headers, head_body = get(url, method="HEAD")
    assert (head_status, head_body, head_headers["Content-Type"]) == (200, b"", "image/png")
    assert get(url, {"If-None-Match": '"v1"'})[0] == 304


# -- cache, health, metrics ----------------------------------------------------------


def test_a_cached_image_is_fetched_from_upstream_once(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/a.png").respond_with_data(PNG, content_type="image/png")
    httpserver.expect_request("/b.png").respond_with_data(PNG + b"b", content_type="image/png")
    proxy = start_proxy(allowed_networks=LOOPBACK_ONLY, cache_dir=tmp_path / "cache",
                        cache_max_bytes=len(PNG) + 10)  # fmt: skip
    for _ in range(3):
        assert get(proxy.url(httpserver.url_for("/a.png")))[2] == PNG
    assert len([r for r, _ in httpserver.log if r.path == "/a.png"]) == 1
    get(proxy.url(httpserver.url_for("/b.png")))  # over the bound: a.png is evicted
    get(proxy.url(httpserver.url_for("/a.png")))
    assert len([r for r, _ in httpserver.log if r.path == "/a.png"]) == 2
    assert len(list((tmp_path / "cache").glob("*.img"))) == 1
    status, _, metrics = get(f"{proxy.metrics_base}/metrics")
    assert status == 200
    assert b"rsspress_proxy_cache_hits_total 2.0" in metrics
    assert b'rsspress_proxy_requests_total{status="200"} 5.0' in metrics
    assert get(f"{proxy.base}/healthz")[:1] == (200,)


def test_upstream_errors_are_counted_by_kind(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer
) -> None:
    proxy = start_proxy()
    get(proxy.url("http://127.0.0.1/x.png"))
    metrics = get(f"{proxy.metrics_base}/metrics")[2]
    assert b'rsspress_proxy_upstream_errors_total{kind="forbidden"} 1.0' in metrics


# -- the command and the publisher ----------------------------------------------------


def test_the_proxy_refuses_to_start_without_a_key(tmp_path: Path) -> None:
    write_config(tmp_path, "g:\n  s:\n    f: feed.xml\n")
    env = {k: v for k, v in os.environ.items() if k != "RSSPRESS_PROXY_KEY"}
    result = run_cli("proxy", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "RSSPRESS_PROXY_KEY" in result.stderr and "images.proxy_key" in result.stderr


def test_end_to_end_post_images_through_a_running_proxy(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    images = {f"/img/{n}.png": PNG + bytes([n]) * n for n in range(3)}
    for path, data in images.items():
        httpserver.expect_request(path).respond_with_data(data, content_type="image/png")
    body = "".join(f'<p><img src="{httpserver.url_for(p)}"></p>' for p in images)
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>t</title>'
        f"<guid>1</guid><description><![CDATA[{body}]]></description></item></channel></rss>"
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    images_config = (
        "images:\n  proxy: self\n"
        f"  proxy_base: http://127.0.0.1:{port}\n  proxy_listen: 127.0.0.1:{port}\n"
        "  proxy_allow: [127.0.0.1/32]\n"
    )
    feeds = f"g:\n  s:\n    f: {httpserver.url_for('/feed.xml')}\n"
    config = write_config(tmp_path, feeds, state=state)
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"images:\n(  .*\n)+", images_config, text)
    config.write_text(text, encoding="utf-8")
    env = {**os.environ, "RSSPRESS_PROXY_KEY": "e2e-secret"}
    assert run_cli("run", cwd=tmp_path, env=env).returncode == 0
    (post,) = posts_in(tmp_path)
    urls = re.findall(rf'src="(http://127\.0\.0\.1:{port}/[^"]+)"', post.read_text("utf-8"))
    assert len(urls) == 3

    server = subprocess.Popen([sys.executable, "-m", "rsspress", "proxy"], cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        fetched = [get(url)[2] for url in urls]
    finally:
        server.terminate()
        assert server.wait(15) == 0  # SIGTERM: a graceful stop
    assert fetched == list(images.values())
