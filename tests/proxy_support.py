"""A running image proxy for tests: the app and its private /metrics app on ports of their own."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import pytest
from aiohttp import web

from rsspress.config import parse_networks
from rsspress.proxy.server import Metrics, ProxySettings, make_app, make_metrics_app
from rsspress.signing import signed_path

KEY = b"test-key-0123456789"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
LOOPBACK_ONLY = parse_networks(("127.0.0.1/32",))


class RunningProxy:
    """The proxy app on one port and its private /metrics app on another, as `serve` runs them."""

    def __init__(self, settings: ProxySettings) -> None:
        self.loop = asyncio.new_event_loop()
        counters = Metrics()
        self.runner = web.AppRunner(make_app(settings, counters))
        self.metrics_runner = web.AppRunner(make_metrics_app(counters))
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            for runner in (self.runner, self.metrics_runner):
                self.loop.run_until_complete(runner.setup())
                self.loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        self.metrics_base = f"http://127.0.0.1:{self.metrics_runner.addresses[0][1]}"

    def url(self, upstream: str, key: bytes = KEY) -> str:
        return f"{self.base}/{signed_path(upstream, key)}"

    def stop(self) -> None:
        for runner in (self.runner, self.metrics_runner):
            asyncio.run_coroutine_threadsafe(runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def start_proxy() -> Iterator[Callable[..., RunningProxy]]:
    started: list[RunningProxy] = []

    def start(**overrides: object) -> RunningProxy:
        values: dict[str, object] = {"key": KEY, "read_timeout": 2.0, "total_timeout": 5.0}
        values.update(overrides)
        proxy = RunningProxy(ProxySettings(**values))  # type: ignore[arg-type]
        started.append(proxy)
        return proxy

    yield start
    for proxy in started:
        proxy.stop()


def get(
    url: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
