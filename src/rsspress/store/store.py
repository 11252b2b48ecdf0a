"""The Store: one open state, and every operation on it by name.

Each concern lives in its own module as functions over the one :class:`Backend`
(:mod:`.feeds`, :mod:`.leases`, :mod:`.fetches`, :mod:`.hosts`, :mod:`.items`,
:mod:`.pages`, :mod:`.site`); the Store opens the backend, migrates it, knows who
this process is in leases, composes the writes of one fetch into one transaction,
and implements the Protocols of :mod:`.protocols`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rsspress.config import FeedConfig
from rsspress.item_keys import Remembered
from rsspress.machine import HOST
from rsspress.model import (
    FeedState,
    FetchOutcome,
    HostPause,
    ItemRecord,
    ItemState,
    PageRecord,
    PostedItem,
    SiteBody,
    SiteItem,
)
from rsspress.store import feeds, hosts, items, leases, pages, site
from rsspress.store.backends import open_backend
from rsspress.store.fetches import write_fetch
from rsspress.store.hosts import write_pause
from rsspress.store.items import insert_items
from rsspress.store.migrations import migrate
from rsspress.store.pages import write_pages


class Store:
    def __init__(self, state: Path | str) -> None:
        self.db = open_backend(state)
        self.location = self.db.location
        # Who this process is in leases: host and pid say which worker holds a feed.
        self.owner = f"{HOST}:{os.getpid()}:{secrets.token_hex(4)}"
        try:
            migrate(self.db)
        except BaseException:
            self.db.close()
            raise

    @property
    def shared(self) -> bool:
        """Several processes may work on this state at once (PostgreSQL)."""
        return self.db.shared

    def lock(self) -> None:
        """Hold an unshared state (SQLite) for this process until close().

        A second run on it fails at once; and leases left by a killed run are
        stale, since no other process can hold one. A shared state (PostgreSQL)
        is not held: workers claim feeds with leases instead, and leases of
        this machine's processes that have ended are freed.
        """
        self.db.lock()
        leases.free_stale_leases(self.db)

    def unlock(self) -> None:
        """Let other processes take an unshared state again (the daemon, between rounds)."""
        self.db.unlock()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self.db.schema_version()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    # -- feeds and leases ----------------------------------------------------

    def sync_feeds(self, feed_configs: Iterable[FeedConfig]) -> None:
        feeds.sync_feeds(self.db, feed_configs)

    def feed_states(self) -> dict[str, FeedState]:
        return {state.key: state for state in feeds.feed_states(self.db)}

    def count_due(self, now: float, *, force: bool = False, scheduled: bool = False) -> int:
        return leases.count_due(self.db, now, force=force, scheduled=scheduled)

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
        """Lease up to ``limit`` due feeds to this worker until ``now + lease``; their states."""
        return leases.claim_feeds(
            self.db,
            self.owner,
            now,
            limit=limit,
            lease=lease,
            force=force,
            scheduled=scheduled,
            since=since,
        )

    def release(self, feed_keys: Iterable[str]) -> None:
        """Give back leases on feeds this worker took but will not fetch."""
        leases.release(self.db, self.owner, feed_keys)

    # -- one fetch, one transaction --------------------------------------------

    def record_fetch(
        self,
        feed_key: str,
        outcome: FetchOutcome,
        items: Sequence[ItemRecord] = (),
        pages: Sequence[PageRecord] = (),
        pause: HostPause | None = None,
    ) -> int:
        """Record one fetch in one transaction: the feed's row, the items whose posts are
        on disk, the article pages, a host pause. Returns how many items were published
        now; raises LeaseLost (and records nothing) if another worker took the feed over.

        A process killed before the commit leaves none of it: the feed is fetched again
        and its posts are written again, byte for byte, under the same names."""
        with self.db.transaction():
            write_fetch(self.db, self.owner, feed_key, outcome)  # first: it checks the lease
            write_pages(self.db, pages)
            if pause is not None:
                write_pause(self.db, pause)
            published = [i for i in items if i.state is ItemState.PUBLISHED]
            count = insert_items(self.db, feed_key, published)
            others = [i for i in items if i.state is not ItemState.PUBLISHED]
            insert_items(self.db, feed_key, others)
        return count

    # -- hosts -------------------------------------------------------------------

    def pause_host(self, host: str, not_before: float, reason: str) -> None:
        """A host asked us to wait (429, 503): none of its feeds is fetched before then.

        A fetch's own pause goes with its record (:meth:`record_fetch`)."""
        with self.db.transaction():
            write_pause(self.db, HostPause(host, not_before, reason))

    def paused_hosts(self, now: float) -> dict[str, float]:
        return hosts.paused_hosts(self.db, now)

    # -- items and pages ---------------------------------------------------------

    def known_item_keys(self, feed_key: str) -> set[str]:
        return items.known_item_keys(self.db, feed_key)

    def known_items(self, feed_key: str) -> dict[str, Remembered]:
        """The feed's recorded items by key, with what recognizes them under another key."""
        return items.known_items(self.db, feed_key)

    def item_times(self, feed_key: str, limit: int = 200) -> list[float]:
        """When the feed's newest items were published (their dates, else first seen)."""
        return items.item_times(self.db, feed_key, limit)

    def items(self, feed_key: str | None = None) -> list[ItemRecord]:
        return items.items(self.db, feed_key)

    def posted_items(self) -> list[PostedItem]:
        """Every item that has a post now, for retention."""
        return items.posted_items(self.db)

    def mark_pruned(self, item_id: int, at: float) -> None:
        """The item's post is gone: remember the item, forget its post and content."""
        items.mark_pruned(self.db, item_id, at)

    def cached_articles(self, urls: Iterable[str]) -> dict[str, str]:
        """The articles already extracted from these pages."""
        return pages.cached_articles(self.db, urls)

    def pages(self) -> list[PageRecord]:
        return pages.pages(self.db)

    # -- the site ----------------------------------------------------------------

    def site_items(self) -> list[SiteItem]:
        """Every item that is published now (not dropped, not pruned)."""
        return site.site_items(self.db)

    def site_bodies(self, ids: Iterable[int]) -> dict[int, SiteBody]:
        return site.site_bodies(self.db, ids)

    def published_signature(self) -> tuple[Any, ...]:
        """Changes whenever an item is published or pruned (what a site shows)."""
        return site.published_signature(self.db)
