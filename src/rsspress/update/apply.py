"""Apply: record a feed's :class:`~rsspress.update.decide.Decision` in one transaction."""

from __future__ import annotations

from rsspress.config import FeedConfig
from rsspress.model import Outcome
from rsspress.store.protocols import UpdateStore
from rsspress.update.decide import Decision
from rsspress.update.report import FeedReport


def apply(store: UpdateStore, feed: FeedConfig, decision: Decision, elapsed: float) -> FeedReport:
    """Record the fetch, its items and pages and a host pause at once; report the feed.

    Raises LeaseLost when another worker took the feed over (it records the feed).
    """
    published = store.record_fetch(
        feed.key, decision.outcome, decision.items, decision.pages, decision.pause
    )
    outcome = decision.outcome.outcome
    return FeedReport(
        feed,
        outcome,
        posts_written=published if outcome is Outcome.OK else 0,
        error=decision.error,
        filtered=decision.filtered,
        elapsed=elapsed,
        left_out=decision.left_out,
    )
