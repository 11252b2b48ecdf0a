"""One update of the mirror, as its stages: claim → fetch → build (pure) → decide (pure)
→ apply (one transaction per feed); :mod:`rsspress.update.run` runs them."""

from rsspress.update.apply import apply
from rsspress.update.build import (
    BuiltPost,
    FeedBuild,
    FeedJob,
    FeedWritten,
    PostFile,
    article_of,
    build_and_write,
    build_feed,
)
from rsspress.update.claim import Claim, claim_next
from rsspress.update.decide import Decision, decide, failure_of
from rsspress.update.fetch import FeedFetcher, Page, fetch_pages
from rsspress.update.report import (
    BuildError,
    BuildErrorKind,
    FeedError,
    FeedReport,
    ProgressCallback,
    RunSummary,
)
from rsspress.update.run import PARALLEL_MIN_FEEDS, RecordedCallback, run_update, update_feeds

__all__ = [
    "PARALLEL_MIN_FEEDS",
    "BuildError",
    "BuildErrorKind",
    "BuiltPost",
    "Claim",
    "Decision",
    "FeedBuild",
    "FeedError",
    "FeedFetcher",
    "FeedJob",
    "FeedReport",
    "FeedWritten",
    "Page",
    "PostFile",
    "ProgressCallback",
    "RecordedCallback",
    "RunSummary",
    "apply",
    "article_of",
    "build_and_write",
    "build_feed",
    "claim_next",
    "decide",
    "failure_of",
    "fetch_pages",
    "run_update",
    "update_feeds",
]
