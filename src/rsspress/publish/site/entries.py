"""The site's sections (group, site, feed) and its entries (the published items), as pages
show them. Pure: from the config and the state's rows, no I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rsspress.config import FeedConfig
from rsspress.dates import item_when
from rsspress.model import SiteItem
from rsspress.publish.post import plain_title
from rsspress.urls import web_link


@dataclass(frozen=True)
class Section:
    """A group, site or feed of the config: a list of items with its own pages and feeds."""

    names: tuple[str, ...]  # (group,), (group, site) or (group, site, feed)
    path: str  # its folder in the site, e.g. "c/科技资讯/ZAKER/"
    feed: FeedConfig | None = None  # for a feed

    @property
    def title(self) -> str:
        return " › ".join(self.names)

    @property
    def name(self) -> str:
        return self.names[-1]


@dataclass(frozen=True)
class Entry:
    """An item as pages show it."""

    id: int
    slug: str  # names its page: the first 16 hex digits of its post id
    title: str
    link: str | None
    when: dt.datetime  # its date, never later than when it was first seen
    cover: str | None
    summary: str
    feed: Section
    site: Section
    group: Section

    @property
    def path(self) -> str:
        return f"a/{self.slug}.html"

    @property
    def original(self) -> str | None:
        """The link to the original article, when it is a web link (never javascript: …)."""
        return web_link(self.link)

    @property
    def sections(self) -> tuple[Section, Section, Section]:
        return (self.group, self.site, self.feed)


_UNSAFE_IN_PATH = re.compile(r"[-\s/\\?#%&:*\"'<>|\[\]{}^`~;=+,@!$()]+")


def slugify(name: str) -> str:
    """A path segment that keeps the name readable (CJK included) and is safe anywhere."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE_IN_PATH.sub("-", text).strip("-.")
    return text[:60].rstrip("-.") or "x" + hashlib.sha256(name.encode()).hexdigest()[:8]


def section_tree(feeds: Iterable[FeedConfig]) -> dict[str, Section]:
    """Every group, site and feed of the config as a Section, by feed key for feeds.

    Keys: the feed's key for a feed, and JSON lists of names for groups and sites.
    Two names of one level that slugify alike get -2, -3 … in config order.
    """
    sections: dict[str, Section] = {}
    used: dict[str, set[str]] = defaultdict(set)

    def place(names: tuple[str, ...], parent: str, feed: FeedConfig | None = None) -> Section:
        key = feed.key if feed else names_key(names)
        if key in sections:
            return sections[key]
        base = slugify(names[-1])
        slug, n = base, 1
        while slug.casefold() in used[parent]:
            n += 1
            slug = f"{base}-{n}"
        used[parent].add(slug.casefold())
        section = Section(names, f"{parent}{slug}/", feed)
        sections[key] = section
        return section

    for feed in feeds:
        group = place((feed.group,), "c/")
        site = place((feed.group, feed.site), group.path)
        place(feed.categories, site.path, feed)
    return sections


def names_key(names: tuple[str, ...]) -> str:
    """A group's or site's key in :func:`section_tree`."""
    return json.dumps(list(names), ensure_ascii=False)


def site_entries(sections: dict[str, Section], items: Iterable[SiteItem]) -> list[Entry]:
    """The items of the config's feeds as entries, newest first."""
    lineage = {
        key: (sections[names_key(f.names[:1])], sections[names_key(f.names[:2])], f)
        for key, f in sections.items()
        if f.feed is not None
    }
    entries = []
    for item in items:
        if item.feed_key not in lineage:
            continue  # a feed no longer in the config: its items leave the site
        group, site, feed = lineage[item.feed_key]
        seen = dt.datetime.fromtimestamp(item.first_seen_at, dt.UTC)
        entries.append(
            Entry(
                id=item.id,
                slug=item.post_id[:16],
                title=plain_title(item.title) or "(untitled)",
                link=item.link,
                when=min(item_when(item.date, item.first_seen_at), seen),
                cover=item.cover,
                summary=item.summary or "",
                feed=feed,
                site=site,
                group=group,
            )
        )
    entries.sort(key=lambda e: (e.when, e.id), reverse=True)
    return entries
