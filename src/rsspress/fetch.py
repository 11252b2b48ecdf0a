"""Fetch many feeds at once, politely: bounded concurrency, conditional GET, hard limits.

aiohttp is the client: on the shared corpus M it fetches every feed in about
1.5 s cold, where httpx needed 5-7 s for the same requests (bench/fetchers.py).

Concurrency is bounded by our own semaphores, one global and one per host,
taken *before* a request starts, so that time spent waiting for a slot never
counts against a feed's timeout: one slow host delays only its own feeds.
Failures are values (:class:`FetchError`), never exceptions, so one bad feed
cannot stop the others.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import re
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from urllib.request import url2pathname

import aiohttp

from rsspress.config import FetchConfig, parse_networks
from rsspress.guard import (
    GuardedConnector,
    Network,
    RedirectError,
    forbidden_cause,
    open_public,
)
from rsspress.model import Outcome
from rsspress.urls import redact_text, url_host

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchRequest:
    key: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


# Why a fetch failed. The first kinds come from the connection and the HTTP answer
# (rsspress.fetch, rsspress.guard); the last ones are what an RSSHub instance's answer
# means (rsspress.rsshub.answers), and "rsshub" when its instances failed in different ways.
FetchErrorKind = Literal[
    "dns",
    "refused",
    "connect",
    "reset",
    "timeout",
    "tls",
    "http",
    "too_large",
    "redirects",
    "url",
    "io",
    "forbidden",
    "other",
    "busy",
    "access",
    "no_route",
    "route",
    "not_feed",
    "rsshub",
]


@dataclass(frozen=True)
class FetchError:
    """Why a fetch brought no document (a value, never raised)."""

    kind: FetchErrorKind
    message: str
    status: int | None = None
    retry_after: float | None = None  # seconds, from a 429/503 Retry-After
    detail: str | None = None  # what the server's error page says (RSSHub's route errors)


@dataclass(frozen=True)
class FetchResult:
    request: FetchRequest
    outcome: Outcome
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    status: int | None = None
    error: FetchError | None = None
    elapsed: float = 0.0
    charset: str | None = None  # from Content-Type, for bodies that lie about theirs
    final_url: str | None = None  # after redirects
    fresh_for: float | None = None  # seconds the server says the feed stays fresh
    instance: str | None = None  # an RSSHub route's: the instance that answered (rsshub)


# Reads a server's error page (Content-Type, its first bytes) into a message, or None.
ErrorPageReader = Callable[[str | None, bytes], str | None]
ERROR_PAGE_BYTES = 64 * 1024


class _Fail(Exception):
    def __init__(self, error: FetchError) -> None:
        super().__init__(error.message)
        self.error = error


class Fetcher:
    """One run's HTTP client: a session, and the slots that keep it polite.

    Feeds and article pages (full text) share the per-host slots, so one host
    never sees more than ``per_host`` requests at once from a run; each kind
    has its own global bound, so that pages fetched while building a feed can
    never wait for slots held by feed results waiting to be built.
    """

    def __init__(self, settings: FetchConfig) -> None:
        self.settings = settings
        # Networks article pages may reach after all, read once (every page hop is judged).
        self._page_allow = parse_networks(settings.page_allow)
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        self._feed_slots = asyncio.Semaphore(settings.concurrency)
        self._page_slots = asyncio.Semaphore(settings.concurrency)
        self._session: aiohttp.ClientSession | None = None
        self._page_session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        settings = self.settings
        timeout = aiohttp.ClientTimeout(
            total=settings.total_timeout,
            sock_connect=settings.connect_timeout,
            sock_read=settings.read_timeout,
        )
        # Article pages are named by feeds, not by the user: a session of their own
        # whose every connection is judged (rsspress.guard), with no cookies kept.
        self._page_session = aiohttp.ClientSession(
            connector=GuardedConnector(
                self._page_allow,
                limit=2 * settings.concurrency,
                limit_per_host=settings.per_host,
            ),
            timeout=timeout,
            headers={"User-Agent": settings.user_agent},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
        )
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=2 * settings.concurrency,
                limit_per_host=settings.per_host,
                ttl_dns_cache=300,
            ),
            timeout=aiohttp.ClientTimeout(
                total=settings.total_timeout,
                sock_connect=settings.connect_timeout,
                sock_read=settings.read_timeout,
            ),
            headers={"User-Agent": settings.user_agent},
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        for session in (self._session, self._page_session):
            if session is not None:
                await session.close()

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = url_host(url) or ""  # as host pauses key it (rsspress.urls)
        return self._host_slots.setdefault(host, asyncio.Semaphore(self.settings.per_host))

    async def fetch_page(self, request: FetchRequest) -> FetchResult:
        """An article page, under the same limits as feeds: http(s) and public addresses only."""
        assert self._page_session is not None, "use Fetcher as an async context manager"
        session, settings = self._page_session, self.settings
        async with self._host_slot(request.url), self._page_slots:
            started = time.monotonic()
            try:
                result = await _get_page(session, request, settings, self._page_allow)
            except _Fail as fail:
                result = FetchResult(request, Outcome.ERROR, error=fail.error)
            except Exception as exc:  # classified, never raised, as for feeds
                result = FetchResult(request, Outcome.ERROR, error=classify(exc, settings))
            return dataclasses.replace(result, elapsed=time.monotonic() - started)

    async def _fetch_feed(
        self, session: aiohttp.ClientSession, request: FetchRequest
    ) -> FetchResult:
        """One feed; returns holding a global feed slot, which the caller releases.

        Host first: a feed waiting for its busy host must not hold a global slot.
        (rsspress.rsshub.fetching fetches RSSHub routes from several instances.)
        """
        async with self._host_slot(request.url):
            await self._feed_slots.acquire()
            try:
                return await fetch_one(session, request, self.settings)
            except BaseException:
                self._feed_slots.release()
                raise

    async def fetch_feeds(self, requests: Iterable[FetchRequest]) -> AsyncIterator[FetchResult]:
        """Fetch every request; yield each result as soon as it is in.

        Results wait in a small queue, and a fetch keeps its slot until its
        result is taken, so a consumer that falls behind pauses fetching
        instead of letting bodies pile up in memory.
        """
        assert self._session is not None, "use Fetcher as an async context manager"
        session = self._session
        requests = list(requests)
        done: asyncio.Queue[FetchResult] = asyncio.Queue(maxsize=self.settings.concurrency)

        async def one(request: FetchRequest) -> None:
            result = await self._fetch_feed(session, request)
            try:
                await done.put(result)  # the global slot is held until the result is taken
            finally:
                self._feed_slots.release()

        tasks = [asyncio.ensure_future(one(r)) for r in requests]
        try:
            for _ in requests:
                yield await done.get()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def fetch_all(
    requests: Iterable[FetchRequest], settings: FetchConfig
) -> AsyncIterator[FetchResult]:
    """Fetch feeds with a fetcher of their own (see :meth:`Fetcher.fetch_feeds`)."""
    async with Fetcher(settings) as fetcher:
        async for result in fetcher.fetch_feeds(requests):
            yield result


async def fetch_one(
    session: aiohttp.ClientSession,
    request: FetchRequest,
    settings: FetchConfig,
    accept: str = ACCEPT,
    read_error: ErrorPageReader | None = None,
) -> FetchResult:
    started = time.monotonic()
    try:
        scheme = urlsplit(request.url).scheme.lower()
        if scheme == "file":
            result = await asyncio.to_thread(_read_file, request, settings)
        elif scheme in ("http", "https"):
            result = await _get(session, request, settings, accept, read_error)
        else:
            raise _Fail(FetchError("url", f"unsupported URL scheme {scheme!r}"))
    except _Fail as fail:
        result = FetchResult(request, Outcome.ERROR, error=fail.error)
    except Exception as exc:  # classified, never raised: one feed must not stop the rest
        result = FetchResult(request, Outcome.ERROR, error=classify(exc, settings))
    return dataclasses.replace(result, elapsed=time.monotonic() - started)


async def _get(
    session: aiohttp.ClientSession,
    request: FetchRequest,
    settings: FetchConfig,
    accept: str,
    read_error: ErrorPageReader | None = None,
) -> FetchResult:
    headers: dict[str, str] = {"Accept": accept}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    # aiohttp stops when the count *reaches* max_redirects; ours is how many are followed
    async with session.get(
        request.url, headers=headers, max_redirects=settings.max_redirects + 1
    ) as response:
        status = response.status
        if status == 304:
            return FetchResult(
                request,
                Outcome.NOT_MODIFIED,
                status=status,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                fresh_for=fresh_for(response.headers),
            )
        if status != 200:
            detail = None
            if read_error is not None:
                page = await _read_start(response, ERROR_PAGE_BYTES)
                detail = read_error(response.headers.get("Content-Type"), page)
            raise _Fail(
                FetchError(
                    "http",
                    f"HTTP {status} {response.reason or ''}".strip(),
                    status=status,
                    retry_after=_retry_after(response.headers.get("Retry-After")),
                    detail=detail,
                )
            )
        body = await _read_body(response, settings)
        return FetchResult(
            request,
            Outcome.OK,
            body=body,
            status=status,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            charset=response.charset,
            final_url=str(response.url),
            fresh_for=fresh_for(response.headers),
        )


async def _get_page(
    session: aiohttp.ClientSession,
    request: FetchRequest,
    settings: FetchConfig,
    allowed: tuple[Network, ...],
) -> FetchResult:
    """An article page a feed points at; each hop judged by rsspress.guard."""
    async with open_public(
        session, request.url, lambda _: {"Accept": PAGE_ACCEPT}, allowed, settings.max_redirects
    ) as (final_url, response):
        if response.status != 200:
            status = f"HTTP {response.status} {response.reason or ''}".strip()
            raise _Fail(FetchError("http", status, status=response.status))
        body = await _read_body(response, settings)
        return FetchResult(
            request,
            Outcome.OK,
            body=body,
            status=200,
            charset=response.charset,
            final_url=final_url,
        )


async def _read_body(response: aiohttp.ClientResponse, settings: FetchConfig) -> bytes:
    """The body, refused as soon as it passes fetch.max_bytes (declared or not)."""
    if response.content_length is not None and response.content_length > settings.max_bytes:
        raise _Fail(_too_large(settings))
    body = bytearray()
    async for chunk in response.content.iter_any():
        body += chunk
        if len(body) > settings.max_bytes:
            raise _Fail(_too_large(settings))
    return bytes(body)


async def _read_start(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The first ``limit`` bytes of a body (an error page: the rest is not read)."""
    start = bytearray()
    async for chunk in response.content.iter_any():
        start += chunk
        if len(start) >= limit:
            break
    return bytes(start[:limit])


def _read_file(request: FetchRequest, settings: FetchConfig) -> FetchResult:
    """A local feed file. Its mtime and size stand in for an ETag."""
    parts = urlsplit(request.url)
    path = Path(url2pathname(parts.path))
    try:
        stat = path.stat()
        validator = f'"file-{stat.st_mtime_ns}-{stat.st_size}"'
        if request.etag == validator:
            return FetchResult(request, Outcome.NOT_MODIFIED, etag=validator)
        if stat.st_size > settings.max_bytes:
            raise _Fail(_too_large(settings))
        return FetchResult(request, Outcome.OK, body=path.read_bytes(), etag=validator)
    except OSError as exc:
        raise _Fail(FetchError("io", f"{path}: {exc.strerror or exc}")) from None


def _too_large(settings: FetchConfig) -> FetchError:
    return FetchError("too_large", f"body larger than fetch.max_bytes ({settings.max_bytes} bytes)")


_MAX_AGE = re.compile(r"(?:^|,)\s*(s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)


def fresh_for(headers: Mapping[str, str]) -> float | None:
    """How long the server says the response stays fresh: Cache-Control, else Expires."""
    control = headers.get("Cache-Control") or ""
    if "no-cache" in control.lower() or "no-store" in control.lower():
        return 0.0
    ages = {name.lower(): float(value) for name, value in _MAX_AGE.findall(control)}
    if ages:
        return ages.get("s-maxage", ages.get("max-age"))
    expires = headers.get("Expires")
    if expires:
        try:
            when = email.utils.parsedate_to_datetime(expires)
            base = email.utils.parsedate_to_datetime(headers.get("Date") or expires)
        except (TypeError, ValueError, IndexError):
            return 0.0  # an invalid Expires means already expired (RFC 9111)
        if when.tzinfo is None or base.tzinfo is None:
            return 0.0
        if headers.get("Date") is None:
            return max(0.0, when.timestamp() - time.time())
        return max(0.0, (when - base).total_seconds())
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


def classify(exc: BaseException, settings: FetchConfig) -> FetchError:
    """Name what went wrong in words a user can act on, with no secret in them.

    An exception's text may quote the URL (aiohttp's InvalidURL, a redirect's
    Location), password and ``?key=`` included: every URL in it is redacted.
    """
    error = _classify(exc, settings)
    return dataclasses.replace(error, message=redact_text(error.message))


def _classify(exc: BaseException, settings: FetchConfig) -> FetchError:
    if (forbidden := forbidden_cause(exc)) is not None:
        return FetchError("forbidden", f"refused: {forbidden} (fetch.page_allow lists exceptions)")
    if isinstance(exc, RedirectError):
        return FetchError("redirects", str(exc))
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        return FetchError(
            "timeout",
            f"no complete answer in time (connect {settings.connect_timeout:g}s,"
            f" read {settings.read_timeout:g}s, total {settings.total_timeout:g}s)",
        )
    if isinstance(exc, aiohttp.TooManyRedirects):
        return FetchError("redirects", f"more than {settings.max_redirects} redirects")
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchError("url", f"invalid URL: {exc}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return FetchError("tls", f"TLS error: {exc}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        cause = exc.os_error
        if isinstance(cause, socket.gaierror) or isinstance(
            exc, getattr(aiohttp, "ClientConnectorDNSError", ())
        ):
            return FetchError("dns", f"cannot resolve host {exc.host}")
        if isinstance(cause, ConnectionRefusedError):
            return FetchError("refused", f"connection refused by {exc.host}:{exc.port}")
        return FetchError("connect", f"cannot connect to {exc.host}:{exc.port}: {cause}")
    if isinstance(
        exc,
        aiohttp.ServerDisconnectedError
        | aiohttp.ClientPayloadError
        | ConnectionResetError
        | aiohttp.ClientOSError,
    ):
        return FetchError("reset", f"connection lost: {exc}".rstrip(": "))
    if isinstance(exc, ssl.SSLError):
        return FetchError("tls", f"TLS error: {exc}")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return FetchError("other", f"{type(exc).__name__}: {exc}")
    return FetchError("other", f"{type(exc).__name__}: {exc}")
