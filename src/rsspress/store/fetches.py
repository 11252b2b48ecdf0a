"""What one fetch writes into its feed's row: validators, outcome, errors and backoff,
the next poll; and the end of the worker's lease, which fences the write.

:meth:`rsspress.store.Store.record_fetch` writes this row, the fetch's items, pages
and host pause in one transaction.
"""

from __future__ import annotations

from rsspress.model import FetchOutcome, Outcome
from rsspress.store.backends import Backend
from rsspress.store.leases import LeaseLost


def write_fetch(db: Backend, owner: str, feed_key: str, o: FetchOutcome) -> None:
    """Write ``owner``'s fetch into the feed's row and end the lease; LeaseLost if another
    worker holds the feed. Runs inside the caller's transaction, before anything else the
    fetch writes, so that a lost lease leaves nothing written."""
    fenced = "WHERE key = ? AND (lease_owner IS NULL OR lease_owner = ?)"
    if o.outcome == Outcome.ERROR:
        updated = db.execute(
            f"""UPDATE feeds SET last_fetch_at = ?, last_outcome = 'error', error_kind = ?,
                      error_message = ?, failures = failures + 1, next_attempt_at = ?,
                      first_failure_at = COALESCE(first_failure_at, ?), dead_reason = ?,
                      lease_owner = NULL, lease_until = NULL
               {fenced}""",
            (o.at, o.error_kind, o.error_message, o.next_attempt_at, o.at, o.dead_reason,
             feed_key, owner),
        )  # fmt: skip
    else:
        updated = db.execute(
            f"""UPDATE feeds SET last_fetch_at = ?, last_ok_at = ?, last_outcome = ?,
                      etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified),
                      error_kind = NULL, error_message = NULL, failures = 0,
                      next_attempt_at = ?, next_poll_at = ?, first_failure_at = NULL,
                      dead_reason = NULL, lease_owner = NULL, lease_until = NULL
               {fenced}""",
            (o.at, o.at, o.outcome, o.etag, o.last_modified, o.next_attempt_at,
             o.next_poll_at, feed_key, owner),
        )  # fmt: skip
    if updated.rowcount == 0:
        raise LeaseLost(f"{feed_key}: another worker took this feed over")
    if o.outcome == Outcome.OK:
        db.execute(
            """UPDATE feeds SET malformed = ?, held_back = ?, deferred = ?,
                      etag = CASE WHEN ? = 1 THEN NULL ELSE etag END,
                      last_modified = CASE WHEN ? = 1 THEN NULL ELSE last_modified END,
                      unreadable_dates = ?
               WHERE key = ?""",
            (o.malformed, o.held_back, o.deferred, int(o.incomplete), int(o.incomplete),
             o.unreadable_dates, feed_key),
        )  # fmt: skip
