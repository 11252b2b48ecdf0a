"""Claim: which feeds a run takes, in leases, so that other workers on a shared state
take the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rsspress.config import DaemonConfig, FeedConfig
from rsspress.fetch import FetchRequest
from rsspress.model import FeedState
from rsspress.store.protocols import UpdateStore


@dataclass(frozen=True)
class Claim:
    """Which feeds a run takes: the due ones (all with ``force``), each once."""

    force: bool
    scheduled: bool  # the daemon: a healthy feed also waits for its own next poll
    since: float  # the run's start: a feed fetched since then is done


def claim_next(
    store: UpdateStore,
    claim: Claim,
    feeds: Mapping[str, FeedConfig],
    daemon: DaemonConfig,
    now: float,
) -> list[FeedState]:
    """The next lease of due feeds (``daemon.claim`` of them); empty when none is left.

    A feed that only another worker's config lists is that worker's to fetch: given back.
    """
    claimed = store.claim_feeds(
        now,
        limit=daemon.claim,
        lease=daemon.lease,
        force=claim.force,
        scheduled=claim.scheduled,
        since=claim.since,
    )
    store.release(state.key for state in claimed if state.key not in feeds)
    return [state for state in claimed if state.key in feeds]


def fetch_request(state: FeedState, feed: FeedConfig) -> FetchRequest:
    """A claimed feed's conditional request."""
    return FetchRequest(state.key, feed.url, state.etag, state.last_modified)


def lease_ended(state: FeedState, now: float) -> bool:
    """Our lease ran out while we fetched: the feed may be another worker's now."""
    return state.lease_until is not None and now >= state.lease_until
