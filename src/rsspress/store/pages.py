"""Article pages, each fetched once: its extracted article, or why there was none
(then the item keeps its summary)."""

from __future__ import annotations

from collections.abc import Iterable

from rsspress.model import PageRecord
from rsspress.store.backends import Backend, select_in


def cached_articles(db: Backend, urls: Iterable[str]) -> dict[str, str]:
    """The articles already extracted from these pages."""
    sql = "SELECT url, content FROM pages WHERE content IS NOT NULL AND url IN ({marks})"
    return dict(select_in(db, sql, list(urls)))


def write_pages(db: Backend, pages: Iterable[PageRecord]) -> None:
    """Remember these pages (a page fetched again replaces what was known).

    Runs inside the caller's transaction."""
    db.executemany(
        """INSERT INTO pages (url, fetched_at, content, error) VALUES (?, ?, ?, ?)
           ON CONFLICT(url) DO UPDATE SET fetched_at = excluded.fetched_at,
               content = excluded.content, error = excluded.error""",
        [(p.url, p.fetched_at, p.content, p.error) for p in pages],
    )


def pages(db: Backend) -> list[PageRecord]:
    rows = db.execute("SELECT url, fetched_at, content, error FROM pages ORDER BY url")
    return [PageRecord(*row) for row in rows]
