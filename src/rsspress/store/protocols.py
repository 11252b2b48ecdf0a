"""What each stage needs of the state, as Protocols: the real :class:`~rsspress.store.Store`
implements them all, and ``tests/fakes.py`` holds a fake store for the update."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from rsspress.config import FeedConfig
from rsspress.item_keys import Remembered
from rsspress.model import (
    FeedState,
    FetchOutcome,
    HostPause,
    ItemRecord,
    PageRecord,
    PostedItem,
    SiteBody,
    SiteItem,
)


class UpdateStore(Protocol):
    """The state as one update uses it: feeds to claim, what each knows, one record per fetch."""

    @property
    def shared(self) -> bool:
        """Several processes may work on this state at once (PostgreSQL)."""
        ...

    def lock(self) -> None: ...

    def close(self) -> None: ...

    def sync_feeds(self, feeds: Iterable[FeedConfig]) -> None: ...

    def feed_states(self) -> dict[str, FeedState]: ...

    def count_due(self, now: float, *, force: bool = False, scheduled: bool = False) -> int: ...

    def claim_feeds(
        self,
        now: float,
        *,
        limit: int,
        lease: float,
        force: bool = False,
        scheduled: bool = False,
        since: float | None = None,
    ) -> list[FeedState]: ...

    def release(self, feed_keys: Iterable[str]) -> None: ...

    def known_items(self, feed_key: str) -> dict[str, Remembered]: ...

    def item_times(self, feed_key: str, limit: int = 200) -> list[float]: ...

    def cached_articles(self, urls: Iterable[str]) -> dict[str, str]: ...

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
        now; raises LeaseLost if another worker took the feed over."""
        ...


class RetentionStore(Protocol):
    def posted_items(self) -> list[PostedItem]: ...

    def mark_pruned(self, item_id: int, at: float) -> None: ...


class SiteStore(Protocol):
    """What an HTML site build reads."""

    def site_items(self) -> list[SiteItem]: ...

    def site_bodies(self, ids: Iterable[int]) -> dict[int, SiteBody]: ...

    def published_signature(self) -> tuple[Any, ...]: ...

    def feed_states(self) -> dict[str, FeedState]: ...
