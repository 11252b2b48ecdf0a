"""The mirror's memory: numbered schema migrations over SQLite (a file, the
default) or PostgreSQL (shared by several workers); see :mod:`.backends`.

An item row is the promise that its post exists: it is inserted only after
the post file is on disk, in the same transaction that records the fetch
(:meth:`Store.record_fetch`), so a killed process leaves either both or (for the last
feed in hand) a post that the next run writes again, byte for byte, under the same name.

Workers take feeds with a lease (:mod:`.leases`): a feed is fetched by one worker
at a time, a killed worker's leases run out and others take its feeds over, and a
worker records a fetch only while its lease holds. An item row is unique per feed
and item, so an item is published once whatever the timing.

What each stage needs of the state is a Protocol (:mod:`.protocols`); the
:class:`Store` (:mod:`.store`) implements them all.
"""

from rsspress.model import (
    FeedState,
    FetchOutcome,
    ItemRecord,
    PageRecord,
    PostedItem,
    SiteBody,
    SiteItem,
)
from rsspress.store.backends import StateError, StoreLocked
from rsspress.store.leases import LeaseLost
from rsspress.store.migrations import MIGRATIONS
from rsspress.store.protocols import RetentionStore, SiteStore, UpdateStore
from rsspress.store.store import Store

__all__ = [
    "MIGRATIONS",
    "FeedState",
    "FetchOutcome",
    "ItemRecord",
    "LeaseLost",
    "PageRecord",
    "PostedItem",
    "RetentionStore",
    "SiteBody",
    "SiteItem",
    "SiteStore",
    "StateError",
    "Store",
    "StoreLocked",
    "UpdateStore",
]
