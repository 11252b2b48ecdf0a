"""The small typed values that the stages pass to each other, and their enums.

This module is the bottom layer: it imports nothing of rsspress, so every
stage (config, fetch, parse, content, store, publish, update) can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """How one fetch of a feed ended."""

    OK = "ok"  # a document came: its new items are published
    NOT_MODIFIED = "not_modified"  # 304, or the same document again
    ERROR = "error"  # no usable document: the feed backs off


class Profile(StrEnum):
    """How a post's body is prepared."""

    COMPAT = "compat"  # the reference site's bytes (Hexo only)
    DEFAULT = "default"  # sanitized, cleaned by rules, images proxied


class Format(StrEnum):
    """What an output is: posts for a static site generator, or a whole HTML site."""

    HEXO = "hexo"
    HUGO = "hugo"
    JEKYLL = "jekyll"
    HTML = "html"


class FilterAction(StrEnum):
    KEEP = "keep"
    DROP = "drop"


class ItemState(StrEnum):
    """What became of a recorded item."""

    PUBLISHED = "published"  # its posts are written
    DROPPED = "dropped"  # a filter dropped it: remembered so it is not considered again
    PRUNED = "pruned"  # retention removed its posts: remembered so it never comes back


@dataclass(frozen=True)
class FeedState:
    key: str
    group: str
    site: str
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    last_fetch_at: float | None
    last_ok_at: float | None
    last_outcome: Outcome | None
    error_kind: str | None
    error_message: str | None
    failures: int
    next_attempt_at: float | None  # a failing feed's next try (backoff)
    next_poll_at: float | None = None  # a healthy feed's next poll (the daemon's schedule)
    first_failure_at: float | None = None  # when its current run of failures began
    dead_reason: str | None = None  # why it is dead; None: alive
    lease_owner: str | None = None  # the worker fetching it now
    lease_until: float | None = None  # ... until then at most
    item_count: int = 0
    malformed: str | None = None  # the parser's message, when the last document was damaged
    held_back: int = 0  # items of the last document cut off or broken: not published yet
    deferred: int = 0  # new items of the last document over the cap: for later fetches
    unreadable_dates: int = 0  # items of the last document dated when first seen


@dataclass(frozen=True)
class ItemRecord:
    """What the store keeps of a published item."""

    item_key: str
    post_id: str
    guid: str | None
    link: str | None
    title: str
    date: str | None
    date_text: str | None
    author: str | None
    content: str
    state: ItemState
    first_seen_at: float
    published_at: float | None
    drop_reason: str | None = None  # why a filter dropped it (state DROPPED): there is no post
    body: str | None = None  # cleaned for the HTML site (default profile); None: not prepared
    cover: str | None = None  # its real cover image, if it has one
    summary: str | None = None  # the body's first words as plain text (lists, search)


@dataclass(frozen=True)
class PostedItem:
    id: int
    feed_key: str
    post_id: str
    date: str  # ISO 8601, '' when the item had none
    first_seen_at: float


@dataclass(frozen=True)
class SiteItem:
    """A published item as the HTML site lists it (no body: lists don't need one)."""

    id: int
    feed_key: str
    post_id: str
    title: str
    link: str | None
    date: str | None  # ISO 8601
    first_seen_at: float
    cover: str | None
    summary: str | None


@dataclass(frozen=True)
class SiteBody:
    """What an item page shows: the cleaned body, or None and the raw HTML to clean."""

    body: str | None
    content: str


@dataclass(frozen=True)
class PageRecord:
    """An article page fetched for full text: its article, or why there is none."""

    url: str
    fetched_at: float
    content: str | None
    error: str | None = None


@dataclass(frozen=True)
class FetchOutcome:
    """What one fetch changes in a feed's row."""

    outcome: Outcome
    at: float
    etag: str | None = None
    last_modified: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    next_attempt_at: float | None = None
    next_poll_at: float | None = None  # ok / not modified: when the daemon polls again
    dead_reason: str | None = None  # error: the feed is dead, and why
    malformed: str | None = None  # ok: the parser's message when the document was damaged
    held_back: int = 0  # ok: items cut off in a damaged document
    deferred: int = 0  # ok: new items over the cap
    unreadable_dates: int = 0  # ok: items whose date no reader understood

    @property
    def incomplete(self) -> bool:
        """Items of this document wait for a later fetch (cut off, over the cap): its
        validators must not be kept, or an unchanged feed would answer 304 and never give
        them. An item that was empty in a whole document waits for the document to change."""
        return self.malformed is not None or self.deferred > 0


@dataclass(frozen=True)
class HostPause:
    """A host asked everyone to wait (429, 503 with Retry-After): none of its feeds is
    fetched before ``not_before``."""

    host: str
    not_before: float
    reason: str
