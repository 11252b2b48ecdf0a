"""What ``rsspress status`` shows of a feed: its health in a word, a table row, a JSON object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from rsspress.cli.common import ago, when
from rsspress.new_items import LeftOut
from rsspress.store import FeedState
from rsspress.urls import redact_text, redact_url

if TYPE_CHECKING:  # rsspress.rsshub is imported when a status is shown, not with the command
    from rsspress.rsshub.state import FeedInstances

# Failing feeds first, then dead, new and malformed ones; then ok and not modified.
_STATUS_ORDER = {"failing": 0, "dead": 1, "new": 2, "malformed": 2}
_COLOURS = {"failing": "red", "dead": "red", "new": "yellow", "malformed": "yellow"}
# Wide enough for any row: piped output is not wrapped (a script or a pager gets whole lines).
_UNWRAPPED = 1_000_000


def output_console() -> Console:
    """stdout: a terminal's own width; not wrapped at all when it is not a terminal.

    (rich's default outside a terminal is 80 columns, which folds every long
    feed name and error in ``rsspress status | less`` or ``> status.txt``.)
    """
    console = Console()
    if not console.is_terminal:
        console = Console(width=_UNWRAPPED)
    return console


def health(s: FeedState) -> str:
    if s.dead_reason is not None:
        return "dead"
    if s.last_outcome is None:
        return "new"
    if s.last_outcome == "error":
        return "failing"
    return "malformed" if s.malformed else s.last_outcome.replace("_", " ")


def by_urgency(states: Iterable[FeedState]) -> list[FeedState]:
    """The feeds that need a look first, then by group, site and name."""
    return sorted(states, key=lambda s: (_STATUS_ORDER.get(health(s), 3), s.group, s.site, s.name))


def fetching_by(s: FeedState, now: float) -> str | None:
    """The worker (host:pid) fetching the feed now, if one holds a live lease on it."""
    if s.lease_owner is None or s.lease_until is None or s.lease_until <= now:
        return None
    return s.lease_owner.rpartition(":")[0]


def next_due(s: FeedState) -> float | None:
    """A failing feed's next try, else a healthy feed's next poll (the daemon's schedule)."""
    return s.next_attempt_at if s.last_outcome == "error" else s.next_poll_at


def state_json(s: FeedState, now: float) -> dict[str, Any]:
    def iso(t: float | None) -> str | None:
        return dt.datetime.fromtimestamp(t, dt.UTC).isoformat() if t else None

    return {
        "group": s.group,
        "site": s.site,
        "name": s.name,
        "url": redact_url(s.url),  # the state keeps the URL with its secrets; this is printed
        "state": health(s),
        "last_fetch": iso(s.last_fetch_at),
        "last_ok": iso(s.last_ok_at),
        "error_kind": s.error_kind,
        "error": redact_text(s.error_message) if s.error_message else s.error_message,
        "failures": s.failures,
        "next_attempt": iso(s.next_attempt_at),
        "next_due": iso(next_due(s)),
        "dead_reason": s.dead_reason,
        "fetching_by": fetching_by(s, now),
        "items": s.item_count,
        "malformed": s.malformed,  # the parser's message: the last document was damaged
        "held_back": s.held_back,  # items of it cut off, not published yet
        "deferred": s.deferred,  # new items of it over fetch.max_new_items, for later fetches
        "unreadable_dates": s.unreadable_dates,  # items of it dated when first seen instead
    }


def feed_table(rows: list[FeedState], served: Mapping[str, FeedInstances], now: float) -> Table:
    """One row per feed; an "instance" column when some feed is an RSSHub route."""
    from rsspress.rsshub import status as hub_status

    table = Table(title=f"{len(rows)} feeds")
    for column in ("feed", "state", "last fetch", "last ok", "error", "next due", "items"):
        table.add_column(column, overflow="fold")
    if served:
        table.add_column("instance", overflow="fold")
    for s in rows:
        state = health(s)
        colour = _COLOURS.get(state, "green")
        # Messages recorded before secrets were kept out of them may still hold some.
        error = f"{s.error_kind}: {redact_text(s.error_message or '')}" if s.error_kind else ""
        if s.dead_reason:
            error = f"{s.dead_reason}; last: {error}"
        elif s.last_outcome != "error":
            error = LeftOut(s.malformed, s.held_back, s.deferred).describe()
        table.add_row(  # names and errors are text, not markup
            escape(" / ".join((s.group, s.site, s.name))),
            f"[{colour}]{state}[/]",
            ago(s.last_fetch_at, now),
            ago(s.last_ok_at, now),
            escape(error),
            "never (dead; run --force revives)"
            if s.dead_reason
            else f"now, by {worker}"
            if (worker := fetching_by(s, now))
            else when(next_due(s), now),
            str(s.item_count) + _unreadable_dates_note(s),
            *([hub_status.feed_cell(served.get(s.key))] if served else []),
        )
    return table


def _unreadable_dates_note(s: FeedState) -> str:
    """Items of the last document whose date no reader understood (dated when first seen)."""
    n = s.unreadable_dates
    return f" ({n} unreadable date{'' if n == 1 else 's'})" if n else ""
