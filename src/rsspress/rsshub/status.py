"""What `rsspress status` shows of RSSHub: who served each feed, and failing instances."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.markup import escape
from rich.table import Table

from rsspress.rsshub.state import FeedInstances, InstanceStatus
from rsspress.urls import redact_text

_COLOURS = {"ok": "green", "unused": "yellow", "failing": "red", "resting": "red", "paused": "red"}


def feed_json(instances: FeedInstances | None) -> dict[str, Any]:
    """The fields an ``rsshub:/`` feed adds to its `status --json` row (none for others)."""
    if instances is None:
        return {}
    return {
        "instance": instances.served_by,  # the instance that served it last
        "instance_errors": {
            label: redact_text(error) for label, error in instances.failing.items()
        },
    }


def feed_cell(instances: FeedInstances | None) -> str:
    """The table's "instance" cell: who served the feed last, and who fails it now."""
    if instances is None:
        return ""
    text = escape(instances.served_by or "none yet")
    if instances.failing:
        text += " [red](failing: " + escape(", ".join(instances.failing)) + ")[/]"
    return text


def instances_table(
    statuses: list[InstanceStatus],
    ago: Callable[[float | None], str],
    until: Callable[[float | None], str],
) -> Table:
    """Every RSSHub instance of the config: ok, failing, resting (down) or paused (429)."""
    table = Table(title=f"{len(statuses)} RSSHub instances")
    for column in ("instance", "state", "last ok", "failures", "error", "until"):
        table.add_column(column, overflow="fold")
    for status in statuses:
        colour = _COLOURS.get(status.state, "red")
        table.add_row(
            escape(status.label),
            f"[{colour}]{status.state}[/]",
            ago(status.last_ok_at),
            str(status.failures),
            escape(redact_text(status.error or "")),
            until(status.until) if status.until else "",
        )
    return table
