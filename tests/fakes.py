"""A fake store and a fake fetcher for testing the update without SQL or HTTP.

Both implement the Protocols the update uses (:class:`rsspress.store.protocols.UpdateStore`,
:class:`rsspress.update.FeedFetcher`), with the project's own records and rules: only the
storage (dicts instead of tables) and the network (answers given by the test) are fake.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence

from rsspress.config import FeedConfig
from rsspress.dates import item_when
from rsspress.fetch import FetchError, FetchRequest, FetchResult
from rsspress.item_keys import Remembered
from rsspress.model import (
    FeedState,
    FetchOutcome,
    HostPause,
    ItemRecord,
    ItemState,
    Outcome,
    PageRecord,
)
from rsspress.store import LeaseLost

OWNER = "this-worker"


class FakeStore:
    """The state in memory, with the real store's rules for claims, leases and records."""

    def __init__(self) -> None:
        self.feeds: dict[str, FeedState] = {}
        self.hosts: dict[str, str | None] = {}  # feed key -> what a host pause holds it by
        self.active: set[str] = set()
        self.items: dict[str, list[ItemRecord]] = {}
        self.pages: dict[str, PageRecord] = {}
        self.pauses: dict[str, HostPause] = {}
        self.records: list[tuple[str, FetchOutcome]] = []  # every record_fetch, in order
        self.failing: dict[str, BaseException] = {}  # record_fetch of this feed raises it
        self.closed = False

    # -- UpdateStore ------------------------------------------------------------------

    @property
    def shared(self) -> bool:
        return False

    def lock(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def sync_feeds(self, feeds: Iterable[FeedConfig]) -> None:
        wanted = {feed.key: feed for feed in feeds}
        for key, feed in wanted.items():
            state = self.feeds.get(key)
            if state is None:
                state = FeedState(key, feed.group, feed.site, feed.name, feed.url, None, None,
                                  None, None, None, None, None, 0, None)  # fmt: skip
            elif state.url != feed.url:  # validators belong to the old URL
                state = dataclasses.replace(state, url=feed.url, etag=None, last_modified=None)
            self.feeds[key] = state
            self.hosts[key] = feed.pause_host
        self.active = set(wanted)

    def feed_states(self) -> dict[str, FeedState]:
        return {
            key: dataclasses.replace(state, item_count=self._published(key))
            for key, state in self.feeds.items()
        }

    def count_due(self, now: float, *, force: bool = False, scheduled: bool = False) -> int:
        return len(self._claimable(now, force=force, scheduled=scheduled, since=None))

    def claim_feeds(
        self,
        now: float,
        *,
        limit: int,
        lease: float,
        force: bool = False,
        scheduled: bool = False,
        since: float | None = None,
    ) -> list[FeedState]:
        states = self._claimable(now, force=force, scheduled=scheduled, since=since)
        states.sort(key=lambda s: (s.next_attempt_at or s.next_poll_at or 0.0, s.key))
        claimed = []
        for state in states[:limit]:
            state = dataclasses.replace(state, lease_owner=OWNER, lease_until=now + lease)
            self.feeds[state.key] = state
            claimed.append(state)
        return claimed

    def release(self, feed_keys: Iterable[str]) -> None:
        for key in feed_keys:
            state = self.feeds[key]
            if state.lease_owner == OWNER:
                self.feeds[key] = dataclasses.replace(state, lease_owner=None, lease_until=None)

    def known_items(self, feed_key: str) -> dict[str, Remembered]:
        return {i.item_key: Remembered(i.title, i.date) for i in self.items.get(feed_key, [])}

    def item_times(self, feed_key: str, limit: int = 200) -> list[float]:
        newest = list(reversed(self.items.get(feed_key, [])))[:limit]
        return [item_when(i.date, i.first_seen_at).timestamp() for i in newest]

    def cached_articles(self, urls: Iterable[str]) -> dict[str, str]:
        return {
            url: page.content
            for url in urls
            if (page := self.pages.get(url)) is not None and page.content is not None
        }

    def record_fetch(
        self,
        feed_key: str,
        outcome: FetchOutcome,
        items: Sequence[ItemRecord] = (),
        pages: Sequence[PageRecord] = (),
        pause: HostPause | None = None,
    ) -> int:
        if feed_key in self.failing:
            raise self.failing[feed_key]
        state = self.feeds[feed_key]
        if state.lease_owner not in (None, OWNER):
            raise LeaseLost(f"{feed_key}: another worker took this feed over")
        self.feeds[feed_key] = _recorded(state, outcome)
        self.records.append((feed_key, outcome))
        self.pages.update((page.url, page) for page in pages)
        known = self.known_items(feed_key)
        published = 0
        for item in items:
            if item.item_key not in known:
                self.items.setdefault(feed_key, []).append(item)
                published += item.state is ItemState.PUBLISHED
        if pause is not None:
            before = self.pauses.get(pause.host)
            if before is None or before.not_before < pause.not_before:
                self.pauses[pause.host] = pause
        return published

    # -- for tests ----------------------------------------------------------------------

    def take_over(
        self, feed_key: str, owner: str = "another-worker", until: float | None = None
    ) -> None:
        """Another worker takes the feed over (our lease ran out), until ``until``."""
        state = self.feeds[feed_key]
        until = state.lease_until if until is None else until
        self.feeds[feed_key] = dataclasses.replace(state, lease_owner=owner, lease_until=until)

    def published(self, feed_key: str) -> list[ItemRecord]:
        return [i for i in self.items.get(feed_key, []) if i.state is ItemState.PUBLISHED]

    def _published(self, feed_key: str) -> int:
        return len(self.published(feed_key))

    def _claimable(
        self, now: float, *, force: bool, scheduled: bool, since: float | None
    ) -> list[FeedState]:
        """As the real store's claim query (rsspress.store): listed, not leased, not
        fetched since ``since``, and due unless ``force``."""
        out = []
        for key, s in self.feeds.items():
            if key not in self.active or (s.lease_until is not None and s.lease_until > now):
                continue
            if since is not None and s.last_fetch_at is not None and s.last_fetch_at >= since:
                continue
            if not force and not self._due(s, now, scheduled):
                continue
            out.append(s)
        return out

    def _due(self, s: FeedState, now: float, scheduled: bool) -> bool:
        host = self.hosts.get(s.key)
        pause = self.pauses.get(host) if host is not None else None
        return (
            s.dead_reason is None
            and (s.next_attempt_at is None or s.next_attempt_at <= now)
            and (not scheduled or s.next_poll_at is None or s.next_poll_at <= now)
            and (pause is None or pause.not_before <= now)
        )


def _recorded(s: FeedState, o: FetchOutcome) -> FeedState:
    """A feed's state after a fetch is recorded: what the real store's UPDATE writes."""
    if o.outcome is Outcome.ERROR:
        return dataclasses.replace(
            s, last_fetch_at=o.at, last_outcome=Outcome.ERROR, error_kind=o.error_kind,
            error_message=o.error_message, failures=s.failures + 1,
            next_attempt_at=o.next_attempt_at, first_failure_at=s.first_failure_at or o.at,
            dead_reason=o.dead_reason, lease_owner=None, lease_until=None,
        )  # fmt: skip
    s = dataclasses.replace(
        s, last_fetch_at=o.at, last_ok_at=o.at, last_outcome=o.outcome,
        etag=o.etag or s.etag, last_modified=o.last_modified or s.last_modified,
        error_kind=None, error_message=None, failures=0, next_attempt_at=o.next_attempt_at,
        next_poll_at=o.next_poll_at, first_failure_at=None, dead_reason=None,
        lease_owner=None, lease_until=None,
    )  # fmt: skip
    if o.outcome is Outcome.OK:
        s = dataclasses.replace(
            s, malformed=o.malformed, held_back=o.held_back, deferred=o.deferred,
            unreadable_dates=o.unreadable_dates,
            etag=None if o.incomplete else s.etag,
            last_modified=None if o.incomplete else s.last_modified,
        )  # fmt: skip
    return s


# -- the fetcher -------------------------------------------------------------------------

Answer = Callable[[FetchRequest], FetchResult]


def document(body: bytes, etag: str | None = None, fresh_for: float | None = None) -> Answer:
    """A server with this document: 304 when the request has its ETag."""

    def answer(request: FetchRequest) -> FetchResult:
        if etag is not None and request.etag == etag:
            return FetchResult(request, Outcome.NOT_MODIFIED, status=304, etag=etag)
        return FetchResult(request, Outcome.OK, body=body, status=200, etag=etag,
                           final_url=request.url, fresh_for=fresh_for)  # fmt: skip

    return answer


def http_error(status: int, retry_after: float | None = None) -> Answer:
    """A server answering ``status`` (as rsspress.fetch reports it)."""

    def answer(request: FetchRequest) -> FetchResult:
        error = FetchError("http", f"HTTP {status}", status=status, retry_after=retry_after)
        return FetchResult(request, Outcome.ERROR, status=status, error=error)

    return answer


class FakeFetcher:
    """Answers feeds and pages by URL, as the test says; logs every request."""

    def __init__(
        self,
        feeds: Mapping[str, Answer],
        pages: Mapping[str, bytes] | None = None,
        *,
        on_fetch: Callable[[FetchRequest], None] | None = None,
    ) -> None:
        self.feeds = dict(feeds)
        self.pages = dict(pages or {})
        self.on_fetch = on_fetch  # runs before each feed's answer (another worker acts, say)
        self.requests: list[FetchRequest] = []
        self.page_requests: list[str] = []

    async def fetch_feeds(self, requests: Iterable[FetchRequest]) -> AsyncIterator[FetchResult]:
        for request in requests:
            self.requests.append(request)
            if self.on_fetch is not None:
                self.on_fetch(request)
            answer = self.feeds.get(request.url)
            if answer is None:
                error = FetchError("dns", f"cannot resolve host of {request.url}")
                yield FetchResult(request, Outcome.ERROR, error=error)
            else:
                yield answer(request)

    async def fetch_page(self, request: FetchRequest) -> FetchResult:
        self.page_requests.append(request.url)
        body = self.pages.get(request.url)
        if body is None:
            error = FetchError("http", "HTTP 404", status=404)
            return FetchResult(request, Outcome.ERROR, status=404, error=error)
        return FetchResult(request, Outcome.OK, body=body, status=200, final_url=request.url)
