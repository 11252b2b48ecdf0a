"""Fetch: what the update needs of a fetcher, and the article pages of full-text feeds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Protocol

from rsspress.config import FeedConfig
from rsspress.fetch import FetchRequest, FetchResult
from rsspress.item_keys import KnownItems
from rsspress.parse import ParseError, parse_feed
from rsspress.rsshub.items import new_items_of
from rsspress.store.protocols import UpdateStore


class FeedFetcher(Protocol):
    """What the update fetches with: :class:`rsspress.fetch.Fetcher` (and its RSSHub
    subclass) over HTTP, or ``tests/fakes.py``'s fake. Failures are results, not raised."""

    def fetch_feeds(self, requests: Iterable[FetchRequest]) -> AsyncIterator[FetchResult]:
        """Each request's result, as soon as it is in."""
        ...

    async def fetch_page(self, request: FetchRequest) -> FetchResult:
        """An article page (full text)."""
        ...


@dataclass(frozen=True)
class Page:
    """An item's article page for full text: already extracted, or fetched, or failed."""

    url: str
    article: str | None = None  # extracted on an earlier run (the cache)
    body: bytes | None = None  # fetched now; the worker extracts it
    charset: str | None = None
    final_url: str | None = None
    error: str | None = None  # why there is no page


async def fetch_pages(
    fetcher: FeedFetcher,
    store: UpdateStore,
    feed: FeedConfig,
    result: FetchResult,
    known: KnownItems,
    limit: int,
    in_flight: dict[str, asyncio.Task[Page]],
) -> dict[str, Page]:
    """The article pages of a full-text feed's new items: from the cache, else fetched.

    ``in_flight`` holds the run's page fetches: a page shared by several feeds is
    fetched once per run (and, through the pages table, once ever).
    """
    assert result.body is not None
    try:
        parsed = parse_feed(result.body, feed.url, result.charset, date_text=False)
    except ParseError:
        return {}  # the build reports it
    fresh = new_items_of(feed, parsed.items, known, limit)
    links = list(dict.fromkeys(item.link for _, item in fresh.items if item.link))
    cached = store.cached_articles(links)
    pages = {url: Page(url, article=article) for url, article in cached.items()}
    missing = [url for url in links if url not in cached]

    async def one(url: str) -> Page:
        fetched = await fetcher.fetch_page(FetchRequest(url, url))
        if fetched.error is not None:
            return Page(url, error=f"{fetched.error.kind}: {fetched.error.message}")
        return Page(url, body=fetched.body, charset=fetched.charset, final_url=fetched.final_url)

    for url in missing:
        if url not in in_flight:
            in_flight[url] = asyncio.ensure_future(one(url))
    for page in await asyncio.gather(*(in_flight[url] for url in missing)):
        pages[page.url] = page
    return pages
