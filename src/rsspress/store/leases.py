"""Leases: a feed is fetched by one worker at a time.

A worker claims due feeds until a deadline; a killed worker's leases run out
and others take its feeds over; a worker records a fetch only while its lease
holds (see :mod:`.fetches`). Rows another worker is claiming are skipped, not
waited for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rsspress.machine import HOST, local_process_gone
from rsspress.model import FeedState
from rsspress.store.backends import Backend
from rsspress.store.feeds import feed_states


class LeaseLost(Exception):
    """This worker's lease on a feed ran out and another worker took the feed over."""


# When a feed is due; the parameters are (now, now, scheduled, now), see _claimable.
_DUE = """dead_reason IS NULL
          AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
          AND (? = 0 OR next_poll_at IS NULL OR next_poll_at <= ?)
          AND NOT EXISTS (SELECT 1 FROM hosts WHERE hosts.host = feeds.host
                                                AND hosts.not_before > ?)"""


def _claimable(
    now: float, *, force: bool, scheduled: bool, since: float | None
) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause of feeds a worker may take now, and its parameters.

    Due (unless ``force``), listed in the config, not leased, and not
    fetched already since ``since`` (the run's start: a run takes each feed once).
    """
    where = "active = 1 AND (lease_until IS NULL OR lease_until <= ?)"
    params: tuple[Any, ...] = (now,)
    if since is not None:
        where += " AND (last_fetch_at IS NULL OR last_fetch_at < ?)"
        params += (since,)
    if not force:
        where += f" AND {_DUE}"
        params += (now, int(scheduled), now, now)
    return where, params


def count_due(db: Backend, now: float, *, force: bool, scheduled: bool) -> int:
    where, params = _claimable(now, force=force, scheduled=scheduled, since=None)
    return int(db.execute(f"SELECT COUNT(*) FROM feeds WHERE {where}", params).fetchone()[0])


def claim_feeds(
    db: Backend,
    owner: str,
    now: float,
    *,
    limit: int,
    lease: float,
    force: bool,
    scheduled: bool,
    since: float | None,
) -> list[FeedState]:
    """Lease up to ``limit`` due feeds to ``owner`` until ``now + lease``; their states."""
    where, params = _claimable(now, force=force, scheduled=scheduled, since=since)
    with db.transaction():
        keys = [
            row[0]
            for row in db.execute(
                f"""SELECT key FROM feeds WHERE {where}
                    ORDER BY COALESCE(next_attempt_at, next_poll_at, 0), key
                    LIMIT ?{db.lock_rows}""",
                (*params, limit),
            )
        ]
        if not keys:
            return []
        claimed = ",".join("?" * len(keys))
        db.execute(
            f"UPDATE feeds SET lease_owner = ?, lease_until = ? WHERE key IN ({claimed})",
            (owner, now + lease, *keys),
        )
        states = feed_states(db, f"WHERE key IN ({claimed})", tuple(keys))
    order = {key: n for n, key in enumerate(keys)}
    return sorted(states, key=lambda state: order[state.key])


def release(db: Backend, owner: str, feed_keys: Iterable[str]) -> None:
    """Give back ``owner``'s leases on these feeds."""
    keys = list(feed_keys)
    if keys:
        marks = ",".join("?" * len(keys))
        _free_leases(db, f"lease_owner = ? AND key IN ({marks})", (owner, *keys))


def free_stale_leases(db: Backend) -> None:
    """Free the leases no live process can hold any more.

    On an unshared state (SQLite, held by this process) every lease is a killed
    run's. On a shared one, only a process of this machine can be told to have
    ended (killed, say): its feeds are free now, without waiting for its leases.
    """
    if not db.shared:
        _free_leases(db, "lease_owner IS NOT NULL")
        return
    owners = db.execute(
        "SELECT DISTINCT lease_owner FROM feeds WHERE lease_owner LIKE ?", (f"{HOST}:%",)
    ).fetchall()
    for (owner,) in owners:
        host, pid, _ = owner.rsplit(":", 2)
        if pid.isdigit() and local_process_gone(host, int(pid)):
            _free_leases(db, "lease_owner = ?", (owner,))


def _free_leases(db: Backend, where: str, params: tuple[Any, ...] = ()) -> None:
    with db.transaction():
        db.execute(f"UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE {where}", params)
