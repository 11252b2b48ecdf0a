"""Fetch RSSHub routes from several instances: one after the other until one serves the feed.

Each instance has slots of its own (``fetch.per_host``), so a slow or paused instance
holds back only the feeds waiting for it. The access code is added to the URL at the
moment of sending and taken out of everything that comes back (final URL, messages):
the state, `status` and logs only ever see the URL without it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time

import aiohttp

from rsspress.config import FetchConfig
from rsspress.fetch import Fetcher, FetchRequest, FetchResult, fetch_one
from rsspress.model import Outcome
from rsspress.rsshub.answers import (
    Failure,
    error_page_message,
    judge,
    looks_like_feed,
    not_a_feed,
)
from rsspress.rsshub.health import RouteBook, combined_error
from rsspress.rsshub.routes import CODE_PARAM, Instance, Route, access_code
from rsspress.urls import REDACTED


class RouteFetcher(Fetcher):
    """A :class:`~rsspress.fetch.Fetcher` that fetches ``rsshub:/`` feeds across instances."""

    def __init__(self, settings: FetchConfig, book: RouteBook) -> None:
        super().__init__(settings)
        self.book = book
        self._instance_slots: dict[str, asyncio.Semaphore] = {}

    def _instance_slot(self, instance: Instance) -> asyncio.Semaphore:
        return self._instance_slots.setdefault(
            instance.id, asyncio.Semaphore(self.settings.per_host)
        )

    async def _fetch_feed(
        self, session: aiohttp.ClientSession, request: FetchRequest
    ) -> FetchResult:
        route = self.book.route_of(request.key)
        if route is None:
            return await super()._fetch_feed(session, request)
        book, started = self.book, time.monotonic()
        failures: list[tuple[Instance, Failure]] = []
        tried: set[str] = set()
        while (instance := book.choose(request.key, route, tried)) is not None:
            async with self._instance_slot(instance):
                if book.choose(request.key, route, tried) is not instance:
                    continue  # it failed for another feed while this one waited: ask again
                tried.add(instance.id)
                await self._feed_slots.acquire()
                try:
                    result = await self._attempt(session, request, route, instance)
                except BaseException:
                    self._feed_slots.release()
                    raise
                # Judged before the slot is free: feeds waiting for it see what it did.
                failure = _failure(result, instance)
                if failure is None:
                    book.succeeded(request.key, instance.id)
                else:
                    book.failed(request.key, instance.id, failure)
            if failure is None:
                return dataclasses.replace(
                    result, instance=instance.id, elapsed=time.monotonic() - started
                )  # holding the global slot, as Fetcher._fetch_feed does
            self._feed_slots.release()
            failures.append((instance, failure))
        await self._feed_slots.acquire()
        return FetchResult(
            request,
            Outcome.ERROR,
            error=combined_error(route, failures, book),
            elapsed=time.monotonic() - started,
        )

    async def _attempt(
        self,
        session: aiohttp.ClientSession,
        request: FetchRequest,
        route: Route,
        instance: Instance,
    ) -> FetchResult:
        url = route.url_on(instance)
        etag, last_modified = self.book.validators(request.key, instance.id, url)
        if url == request.url and not self.book.knows(request.key):
            # A state from before rsshub instances: the feed's own validators are this URL's.
            etag, last_modified = request.etag, request.last_modified
        sent = FetchRequest(request.key, route.request_url(instance), etag, last_modified)
        result = await fetch_one(session, sent, self.settings, read_error=error_page_message)
        secrets = [sent.url] if sent.url != url else []
        if instance.key is not None:
            secrets.append(access_code(route.path, instance.key))
        return _without(dataclasses.replace(result, request=request), secrets, url)


def _failure(result: FetchResult, instance: Instance) -> Failure | None:
    """Why this answer does not serve the feed; None when it does."""
    if result.outcome == "error":
        assert result.error is not None
        return judge(result.error, has_key=instance.key is not None)
    if result.outcome == "ok" and not looks_like_feed(result.body or b""):
        return not_a_feed(f"HTTP {result.status}: not a feed", result.body or b"")
    return None


def _without(result: FetchResult, secrets: list[str], url: str) -> FetchResult:
    """The result with the request URL (it holds the code) and the code taken out."""
    final = result.final_url
    if final is not None and (CODE_PARAM + "=") in final:
        final = url  # RSSHub does not redirect; a redirect keeps the code: not for the state
    error = result.error
    if error is not None and secrets:
        error = dataclasses.replace(
            error,
            message=_scrub(error.message, secrets, url),
            detail=_scrub(error.detail, secrets, url) if error.detail else error.detail,
        )
    return dataclasses.replace(result, final_url=final, error=error)


def _scrub(text: str, secrets: list[str], url: str) -> str:
    for secret in secrets:
        text = text.replace(secret, url if secret.startswith(("http:", "https:")) else REDACTED)
    return text
