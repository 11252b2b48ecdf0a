"""Hosts that asked everyone to wait (429, 503 with Retry-After): none of their feeds
is claimed before then."""

from __future__ import annotations

from rsspress.model import HostPause
from rsspress.store.backends import Backend


def write_pause(db: Backend, pause: HostPause) -> None:
    """Pause a host until ``pause.not_before`` (a later pause already known stands).

    Runs inside the caller's transaction."""
    db.execute(
        """INSERT INTO hosts (host, not_before, reason) VALUES (?, ?, ?)
           ON CONFLICT(host) DO UPDATE SET reason = excluded.reason,
               not_before = CASE WHEN hosts.not_before > excluded.not_before
                                 THEN hosts.not_before ELSE excluded.not_before END""",
        (pause.host, pause.not_before, pause.reason),
    )


def paused_hosts(db: Backend, now: float) -> dict[str, float]:
    """The hosts paused after ``now``, and until when."""
    rows = db.execute("SELECT host, not_before FROM hosts WHERE not_before > ?", (now,))
    return dict(rows.fetchall())
