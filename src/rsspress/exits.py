"""What a run's exit code says, so that cron, systemd and CI can tell how it went.

0   every feed was fine;
1   some feeds failed now or are still failing (backing off or dead): the
    others were published, and the failing ones are retried on later runs;
2   a bad config or usage (nothing ran), or another run holds the state;
3   every feed is failing: nothing could be fetched (a CI job should fail);
130 interrupted (Ctrl-C): what was written is recorded and the site rebuilt for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rsspress.config import FeedConfig
from rsspress.model import FeedState

EXIT_OK = 0
EXIT_FEEDS_FAILED = 1
EXIT_USAGE = 2
EXIT_ALL_FAILED = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a process Ctrl-C ended


def run_exit_code(
    *, total: int, fine: int, failed: int, still_failing: int, interrupted: bool
) -> int:
    """Of the config's ``total`` feeds: ``fine`` were fetched (or not modified) now,
    ``failed`` failed now, ``still_failing`` were left alone, backing off or dead."""
    if interrupted:
        return EXIT_INTERRUPTED
    failing = failed + still_failing
    if not failing:
        return EXIT_OK
    return EXIT_ALL_FAILED if not fine and failing >= total else EXIT_FEEDS_FAILED


def still_failing(
    feeds: Iterable[FeedConfig], states: Mapping[str, FeedState], since: float
) -> list[FeedState]:
    """The config's feeds a run left alone (not fetched since ``since``) that are failing:
    backing off after errors, or dead."""
    out = []
    for feed in feeds:
        state = states.get(feed.key)
        if state is None or (state.last_fetch_at is not None and state.last_fetch_at >= since):
            continue
        if state.dead_reason is not None or state.last_outcome == "error":
            out.append(state)
    return out
