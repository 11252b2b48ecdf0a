"""What an HTML site build reads: the published items, their bodies, and a signature
that changes whenever what the site shows does."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rsspress.model import SiteBody, SiteItem
from rsspress.store.backends import Backend, select_in


def site_items(db: Backend) -> list[SiteItem]:
    """Every item that is published now (not dropped, not pruned)."""
    rows = db.execute(
        """SELECT id, feed_key, post_id, title, link, date, first_seen_at, cover, summary
           FROM items WHERE state = 'published'"""
    )
    return [SiteItem(*row) for row in rows]


def published_signature(db: Backend) -> tuple[Any, ...]:
    """Changes whenever an item is published or pruned (what a site shows)."""
    row = db.execute(
        """SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(MAX(pruned_at), 0) FROM items
           WHERE state IN ('published', 'pruned')"""
    ).fetchone()
    return tuple(row)


def site_bodies(db: Backend, ids: Iterable[int]) -> dict[int, SiteBody]:
    rows = select_in(db, "SELECT id, body, content FROM items WHERE id IN ({marks})", list(ids))
    return {row[0]: SiteBody(row[1], row[2]) for row in rows}
