"""The site's output feeds (Atom and JSON Feed, one pair per list) and its sources.opml.
Pure: rendered from entries and their bodies."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from urllib.parse import quote, urljoin

import jinja2

from rsspress import __version__
from rsspress.config import Config, OutputConfig
from rsspress.opml import write_opml
from rsspress.publish.site.entries import Entry
from rsspress.urls import url_scheme

FEED_ITEMS = 20  # entries in each output feed


def _absolute_base(out: OutputConfig) -> bool:
    return url_scheme(out.base_url) in ("http", "https")


def absolute(out: OutputConfig, path: str) -> str:
    """A URL for output feeds: absolute when the site's base_url is."""
    return urljoin(out.base_url, quote(path))


def render_atom(
    env: jinja2.Environment,
    out: OutputConfig,
    base: str,
    title: str,
    entries: list[Entry],
    body: Callable[[Entry], str],
) -> bytes:
    updated = entries[0].when if entries else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (
        env.get_template("feed.xml")
        .render(
            site=out,
            title=title,
            version=__version__,
            feed_id=absolute(out, base) if _absolute_base(out) else f"urn:rsspress:/{quote(base)}",
            feed_url=absolute(out, base + "feed.xml"),
            home_url=absolute(out, base),
            updated=updated,
            entries=[(e, absolute(out, e.path), body(e)) for e in entries],
        )
        .encode("utf-8")
    )


def render_json(
    out: OutputConfig, base: str, title: str, entries: list[Entry], body: Callable[[Entry], str]
) -> bytes:
    is_absolute = _absolute_base(out)
    feed: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
    }
    if is_absolute:
        feed["home_page_url"] = absolute(out, base)
        feed["feed_url"] = absolute(out, base + "feed.json")
    items = []
    for entry in entries:
        item: dict[str, object] = {
            "id": f"urn:rsspress:{entry.slug}",
            "title": entry.title,
            "content_html": body(entry),
            "date_published": entry.when.isoformat(),
            "authors": [{"name": entry.site.name}],
            "tags": list(entry.feed.names),
        }
        if is_absolute:
            item["url"] = absolute(out, entry.path)
        if entry.link and entry.link.startswith(("http://", "https://")):
            item["external_url"] = entry.link
        if entry.summary:
            item["summary"] = entry.summary
        if entry.cover:
            item["image"] = entry.cover
        items.append(item)
    feed["items"] = items
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")


def render_sources(config: Config, out: OutputConfig) -> bytes:
    """sources.opml: the config's feeds, their secrets redacted (:func:`write_opml`)."""
    return write_opml(config.feeds, out.title).encode("utf-8")
