"""`rsspress proxy`: a signed, SSRF-safe image proxy (aiohttp's web server).

A request is ``GET /<hmac>/<base64url(url)>``. The proxy checks the signature
(constant time), refuses any URL whose host is or resolves to a non-public
address (checked again on each of at most three redirects), forwards only
``Accept`` and the conditional headers (plus the Referer a host's rule asks
for), accepts only images (by Content-Type *and* by their first bytes), caps
the size while reading, and answers with headers that keep browsers from
doing anything but showing an image. Anchors: go-camo and Miniflux's proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, generate_latest

from rsspress import __version__
from rsspress.atomic import remove_stale_temp_files, write_atomic
from rsspress.config import CleanupRule
from rsspress.content.rules import image_referer
from rsspress.guard import (
    ForbiddenAddress,
    GuardedConnector,
    Network,
    RedirectError,
    forbidden_cause,
    open_public,
    public_url,
)
from rsspress.signing import BadSignature, verify

MAX_REDIRECTS = 3
FORWARDED_HEADERS = ("Accept", "If-None-Match", "If-Modified-Since")
SECURITY_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=2592000",
}
# A refusal may be a passing upstream failure: it must not stick in caches.
SECURITY_HEADERS_NO_CACHE = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
log = logging.getLogger("rsspress.proxy")
RASTER_MAGIC = (
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"\x00\x00\x01\x00", "x-icon"),
)


@dataclass(frozen=True)
class ProxySettings:
    key: bytes
    host: str = "127.0.0.1"
    port: int = 8081
    allowed_networks: tuple[Network, ...] = ()  # for tests against loopback; empty in use
    max_bytes: int = 5 * 1024 * 1024
    connect_timeout: float = 5.0
    read_timeout: float = 10.0  # first byte and between reads
    total_timeout: float = 30.0
    allow_svg: bool = False
    cache_dir: Path | None = None
    cache_max_bytes: int = 512 * 1024 * 1024
    rules: tuple[CleanupRule, ...] = ()  # for the Referer a host's images need
    user_agent: str = f"rsspress-proxy/{__version__}"
    # /metrics has a listener of its own, off unless asked for: the public listener
    # (behind the reader-facing web server) must not tell what the proxy refused.
    metrics_host: str | None = None
    metrics_port: int = 9465


class Refused(Exception):
    """Why an image is not served. The client only ever sees UNAVAILABLE: refusals and
    upstream failures look alike, so the proxy cannot be used to scan ports or read
    banners; the kind goes to /metrics and the reason to the log."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


UNAVAILABLE_STATUS = 502
UNAVAILABLE_BODY = "image unavailable\n"


def image_type(head: bytes, allow_svg: bool) -> str | None:
    """The image type the first bytes show (a renamed script or page is none)."""
    for magic, kind in RASTER_MAGIC:
        if head.startswith(magic):
            return f"image/{kind}"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "image/avif"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1"):
        return "image/heic"
    if allow_svg:
        text = head[:512].lstrip().lower()
        if text.startswith((b"<svg", b"<?xml")) and b"<svg" in head[:1024].lower():
            return "image/svg+xml"
    return None


@dataclass
class Image:
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class DiskCache:
    """Images on disk, bounded in size, least recently used evicted first."""

    directory: Path
    max_bytes: int
    _index: OrderedDict[str, int] = field(default_factory=OrderedDict)
    _total: int = 0

    def __post_init__(self) -> None:
        # The owner's alone, like the state: files are created 0600 in a new 0700 folder,
        # and those an older rsspress left readable by all are tightened.
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # A killed write's temporary file; another proxy on this cache may be writing now.
        remove_stale_temp_files(self.directory, older_than=60)
        for path in (*self.directory.glob("*.img"), *self.directory.glob("*.json")):
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        entries = sorted(self.directory.glob("*.img"), key=lambda p: p.stat().st_mtime)
        for path in entries:
            self._index[path.stem] = path.stat().st_size
            self._total += path.stat().st_size

    @staticmethod
    def name(url: str) -> str:
        return hashlib.sha256(url.encode()).hexdigest()

    def get(self, url: str) -> Image | None:
        name = self.name(url)
        if name not in self._index:
            return None
        try:
            body = (self.directory / f"{name}.img").read_bytes()
            meta = json.loads((self.directory / f"{name}.json").read_text())
        except (OSError, ValueError):
            self._drop(name)
            return None
        self._index.move_to_end(name)
        with contextlib.suppress(OSError):
            os.utime(self.directory / f"{name}.img")  # recency survives a restart
        return Image(body, meta["content_type"], meta.get("etag"), meta.get("last_modified"))

    def put(self, url: str, image: Image) -> None:
        if len(image.body) > self.max_bytes:
            return
        name = self.name(url)
        meta = {"content_type": image.content_type, "etag": image.etag,
                "last_modified": image.last_modified, "url": url}  # fmt: skip
        for suffix, data in ((".json", json.dumps(meta).encode()), (".img", image.body)):
            write_atomic(self.directory / f"{name}{suffix}", data, mode=0o600)
        self._total += len(image.body) - self._index.pop(name, 0)
        self._index[name] = len(image.body)
        while self._total > self.max_bytes and self._index:
            self._drop(next(iter(self._index)))

    def _drop(self, name: str) -> None:
        self._total -= self._index.pop(name, 0)
        for suffix in (".img", ".json"):
            (self.directory / f"{name}{suffix}").unlink(missing_ok=True)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rsspress_proxy_requests", "Requests answered, by status", ["status"],
            registry=self.registry,
        )  # fmt: skip
        self.bytes = Counter(
            "rsspress_proxy_bytes", "Image bytes sent to clients", registry=self.registry
        )
        self.upstream_errors = Counter(
            "rsspress_proxy_upstream_errors", "Upstream fetches refused or failed, by kind",
            ["kind"], registry=self.registry,
        )  # fmt: skip
        self.cache_hits = Counter(
            "rsspress_proxy_cache_hits", "Images served from the disk cache", registry=self.registry
        )
        self.cache_misses = Counter(
            "rsspress_proxy_cache_misses", "Images fetched from upstream", registry=self.registry
        )


SETTINGS = web.AppKey("settings", ProxySettings)
SESSION = web.AppKey("session", aiohttp.ClientSession)
CACHE = web.AppKey("cache", DiskCache)
METRICS = web.AppKey("metrics", Metrics)


def make_app(settings: ProxySettings, counters: Metrics | None = None) -> web.Application:
    """The public proxy: images and /healthz (no /metrics: see :func:`make_metrics_app`)."""
    app = web.Application()
    app[SETTINGS] = settings
    app[METRICS] = counters or Metrics()
    if settings.cache_dir is not None:
        app[CACHE] = DiskCache(settings.cache_dir, settings.cache_max_bytes)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/{sig}/{encoded}", proxy)  # answers HEAD too
    app.cleanup_ctx.append(_client_session)
    return app


def make_metrics_app(counters: Metrics) -> web.Application:
    """/metrics alone, for a private listener."""
    app = web.Application()
    app[METRICS] = counters
    app.router.add_get("/metrics", metrics)
    return app


async def _client_session(app: web.Application):  # type: ignore[no-untyped-def]
    settings = app[SETTINGS]
    connector = GuardedConnector(settings.allowed_networks, limit=256)
    app[SESSION] = aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),  # upstream cookies are neither kept nor sent
        timeout=aiohttp.ClientTimeout(
            total=settings.total_timeout,
            sock_connect=settings.connect_timeout,
            sock_read=settings.read_timeout,
        ),
        trust_env=False,
        auto_decompress=True,
    )
    yield
    await app[SESSION].close()


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok\n")


async def metrics(request: web.Request) -> web.Response:
    body = generate_latest(request.app[METRICS].registry)
    return web.Response(body=body, content_type="text/plain", charset="utf-8")


async def proxy(request: web.Request) -> web.StreamResponse:
    app = request.app
    settings, counters = app[SETTINGS], app[METRICS]
    try:
        url = verify(request.match_info["sig"], request.match_info["encoded"], settings.key)
    except BadSignature as exc:
        counters.requests.labels("403").inc()
        return web.Response(status=403, text=f"forbidden: {exc}\n")
    cache = app.get(CACHE)
    image = cache.get(url) if cache is not None else None
    # Judged again when served from the cache: an entry may predate a stricter rule.
    if image is not None and (not image.body or image_type(image.body[:1024], settings.allow_svg)):
        counters.cache_hits.inc()
    else:
        try:
            image = await fetch_image(app[SESSION], settings, url, request.headers)
        except Refused as exc:
            log.warning("refused %s: %s", exc.kind, exc)
            counters.upstream_errors.labels(exc.kind).inc()
            counters.requests.labels(str(UNAVAILABLE_STATUS)).inc()
            return web.Response(status=UNAVAILABLE_STATUS, text=UNAVAILABLE_BODY,
                                headers=SECURITY_HEADERS_NO_CACHE)  # fmt: skip
        if image.body and cache is not None:
            await asyncio.to_thread(cache.put, url, image)
        counters.cache_misses.inc()
    return answer(request, image, counters, settings.allow_svg)


def answer(request: web.Request, image: Image, counters: Metrics, allow_svg: bool) -> web.Response:
    headers = dict(SECURITY_HEADERS)
    if image.etag:
        headers["ETag"] = image.etag
    if image.last_modified:
        headers["Last-Modified"] = image.last_modified
    not_modified = (image.etag and request.headers.get("If-None-Match") == image.etag) or (
        image.last_modified and request.headers.get("If-Modified-Since") == image.last_modified
    )
    if not_modified or not image.body:
        counters.requests.labels("304").inc()
        return web.Response(status=304, headers=headers)
    headers["Content-Type"] = image_type(image.body[:1024], allow_svg) or "image/unknown"
    counters.requests.labels("200").inc()
    counters.bytes.inc(len(image.body))
    return web.Response(body=image.body, headers=headers)


async def fetch_image(
    session: aiohttp.ClientSession, settings: ProxySettings, url: str, client_headers: object
) -> Image:
    """Fetch an image upstream, or raise Refused saying why not (for the log, not the client)."""
    headers = {"User-Agent": settings.user_agent}
    for name in FORWARDED_HEADERS:
        value = client_headers.get(name)  # type: ignore[attr-defined]
        if value:
            headers[name] = value

    def hop_headers(hop_url: str) -> dict[str, str]:
        referer = image_referer(settings.rules, hop_url)
        return {**headers, **({"Referer": referer} if referer else {})}

    try:
        async with open_public(
            session, url, hop_headers, settings.allowed_networks, MAX_REDIRECTS
        ) as (_, response):
            if response.status == 304:
                return Image(b"", "", response.headers.get("ETag"),
                             response.headers.get("Last-Modified"))  # fmt: skip
            if response.status != 200:
                raise Refused("status", f"upstream answered {response.status}")
            return await read_image(response, settings)
    except ForbiddenAddress as exc:
        raise Refused("forbidden", str(exc)) from None
    except RedirectError as exc:
        raise Refused("redirect", str(exc)) from None
    except (TimeoutError, aiohttp.ServerTimeoutError):
        raise Refused("timeout", "upstream too slow") from None
    except aiohttp.ClientError as exc:
        if (forbidden := forbidden_cause(exc)) is not None:
            raise Refused("forbidden", str(forbidden)) from None
        kind = "connect" if isinstance(exc, aiohttp.ClientConnectorError) else "upstream"
        raise Refused(kind, f"{type(exc).__name__}: {exc}") from None
    except OSError as exc:  # a refusal folded by the connector into a plain OSError
        if (forbidden := forbidden_cause(exc)) is not None:
            raise Refused("forbidden", str(forbidden)) from None
        raise Refused("connect", f"{type(exc).__name__}: {exc}") from None


def check_url(url: str, settings: ProxySettings) -> str:
    """The URL as it will be fetched; raises Refused when it may not be."""
    try:
        return public_url(url, settings.allowed_networks)
    except ForbiddenAddress as exc:
        raise Refused("forbidden", str(exc)) from None


async def read_image(response: aiohttp.ClientResponse, settings: ProxySettings) -> Image:
    # The upstream's Content-Type is never served: "image/png,text/html" would render
    # as a page on our origin. The type is the one the bytes themselves show.
    if response.content_length is not None and response.content_length > settings.max_bytes:
        raise Refused("too_large", f"larger than {settings.max_bytes} bytes")
    body = bytearray()
    async for chunk in response.content.iter_any():
        body += chunk
        if len(body) > settings.max_bytes:  # enforced while reading, whatever it declared
            raise Refused("too_large", f"larger than {settings.max_bytes} bytes")
    content_type = image_type(bytes(body[:1024]), settings.allow_svg)
    if content_type is None:
        declared = response.headers.get("Content-Type", "no type")
        raise Refused("not_image", f"the bytes are not an image (declared {declared[:80]!r})")
    return Image(
        bytes(body),
        content_type,
        response.headers.get("ETag"),
        response.headers.get("Last-Modified"),
    )


def serve(settings: ProxySettings) -> None:
    """Run until SIGINT or SIGTERM; requests in hand get time to finish."""
    started = time.monotonic()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    counters = Metrics()
    app = make_app(settings, counters)
    if settings.metrics_host is not None:
        metrics_runner = web.AppRunner(make_metrics_app(counters), access_log=None)

        async def start_metrics(_: web.Application):  # type: ignore[no-untyped-def]
            await metrics_runner.setup()
            await web.TCPSite(metrics_runner, settings.metrics_host, settings.metrics_port).start()
            print(f"metrics on http://{settings.metrics_host}:{settings.metrics_port}/metrics")
            yield
            await metrics_runner.cleanup()

        app.cleanup_ctx.append(start_metrics)
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        shutdown_timeout=10,
        print=lambda text: print(f"{text.strip()} (started in {time.monotonic() - started:.2f}s)"),
        access_log=None,
    )
