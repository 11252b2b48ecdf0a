"""What an update tells its caller: each feed's report as it ends, and the run's summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from rsspress.config import FeedConfig
from rsspress.exits import run_exit_code
from rsspress.fetch import FetchError
from rsspress.model import FeedState, Outcome
from rsspress.new_items import LeftOut
from rsspress.publish.site import SiteReport

BuildErrorKind = Literal[
    "parse",  # the document is not a feed
    "internal",  # a bug, a full disk or a dead worker while building or writing the posts
]


@dataclass(frozen=True)
class BuildError:
    """Why a fetched document gave no posts (a fetch that failed is a :class:`FetchError`)."""

    kind: BuildErrorKind
    message: str


# Why a feed failed: its fetch, or building what it fetched. Only a fetch's error has an
# HTTP status and a Retry-After, which back off and pause hosts (rsspress.update.decide).
FeedError = FetchError | BuildError


@dataclass(frozen=True)
class FeedReport:
    """How one feed's update went."""

    feed: FeedConfig
    outcome: Outcome
    posts_written: int = 0
    error: FeedError | None = None
    filtered: int = 0  # new items a filter dropped
    elapsed: float = 0.0  # the fetch's seconds
    # A damaged document, items cut off or over the cap: published on later fetches.
    left_out: LeftOut = field(default_factory=LeftOut)


ProgressCallback = Callable[[FeedReport], None]


@dataclass
class RunSummary:
    feeds_total: int = 0
    skipped: int = 0  # not due yet (backing off after errors), or another worker's
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    posts_written: int = 0
    filtered: int = 0
    pruned: int = 0  # posts removed by the retention policy
    sites: list[SiteReport] = field(default_factory=list)  # the HTML sites built after the run
    failures: list[FeedReport] = field(default_factory=list)
    incomplete: list[FeedReport] = field(default_factory=list)  # fetched, with items left out
    # Left alone by this run because they are backing off after errors, or dead.
    still_failing: list[FeedState] = field(default_factory=list)
    interrupted: bool = False  # stopped early: what was written is recorded

    def add(self, report: FeedReport) -> None:
        """Count one feed's report."""
        if report.outcome is Outcome.OK:
            self.fetched += 1
        elif report.outcome is Outcome.NOT_MODIFIED:
            self.not_modified += 1
        else:
            self.failed += 1
            self.failures.append(report)
        self.posts_written += report.posts_written
        self.filtered += report.filtered
        if report.left_out:
            self.incomplete.append(report)

    @property
    def handled(self) -> int:
        return self.fetched + self.not_modified + self.failed

    @property
    def exit_code(self) -> int:
        """See rsspress.exits."""
        return run_exit_code(
            total=self.feeds_total,
            fine=self.fetched + self.not_modified,
            failed=self.failed,
            still_failing=len(self.still_failing),
            interrupted=self.interrupted,
        )
