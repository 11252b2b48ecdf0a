"""The site's HTML pages: pagination, the templates and what they are given. Pure: pages
are rendered from entries and bodies, never read from the state here."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
import markupsafe

from rsspress.config import OutputConfig
from rsspress.publish.site.entries import Entry, Section

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ListPage:
    """One page of a paginated list: its entries (newest first) and its neighbours."""

    path: str
    number: int  # 0 for the list's front page
    entries: tuple[Entry, ...]
    newer: str | None  # path of the page with newer items
    older: str | None


def paginate(entries: list[Entry], base: str, size: int) -> list[ListPage]:
    """Stable pages for a list (entries newest first).

    Page k (from 1) holds the k-th ``size`` entries counted from the oldest,
    so it never changes once it is complete. The front page shows the newest
    page and the one before it (``size`` to 2·``size``-1 entries once the list
    is longer than a page), and pages 1 … n-2 are files of their own.
    """
    total = max(1, -(-len(entries) // size))
    oldest_first = entries[::-1]
    front_from = max(0, (total - 2) * size)

    def page_path(number: int) -> str:
        return base if number == 0 else f"{base}page/{number}/"

    pages = [
        ListPage(
            page_path(0),
            0,
            tuple(oldest_first[front_from:][::-1]),
            None,
            page_path(total - 2) if total > 2 else None,
        )
    ]
    for number in range(1, total - 1):
        chunk = oldest_first[(number - 1) * size : number * size]
        newer = page_path(number + 1 if number + 1 < total - 1 else 0)
        older = page_path(number - 1) if number > 1 else None
        pages.append(ListPage(page_path(number), number, tuple(chunk[::-1]), newer, older))
    return pages


class Pages:
    """Renders the site's HTML pages with its templates (the user's first, then ours)."""

    def __init__(
        self,
        out: OutputConfig,
        env: jinja2.Environment,
        sections: Iterable[Section],
        groups: list[Section],
        iframe_hosts: Iterable[str],
    ) -> None:
        self.out = out
        self.env = env
        self.zone = zoneinfo.ZoneInfo(out.timezone)
        self.sections = list(sections)
        self.groups = groups
        # The CSP's frame-src: the iframe hosts the sanitizer lets through.
        self.frame_sources = " ".join(f"https://{h}" for h in iframe_hosts) or "'none'"

    def _page(self, template: str, path: str, feed_path: str = "", **values: object) -> bytes:
        depth = path.count("/")
        root = "../" * depth
        return (
            self.env.get_template(template)
            .render(
                site=self.out,
                root=root,
                groups=self.groups,
                url=lambda target: root + quote(target),
                local_time=self.local_time,
                children=self.children,
                frame_sources=self.frame_sources,
                lang=self.out.language,
                t=LABELS["en" if self.out.language.startswith("en") else "zh"],
                feed_path=feed_path,
                **values,
            )
            .encode("utf-8")
        )

    def children(self, section: Section) -> list[Section]:
        return [s for s in self.sections if s.path.startswith(section.path)
                and s.path.count("/") == section.path.count("/") + 1]  # fmt: skip

    def local_time(self, when: dt.datetime) -> str:
        return when.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def item_page(self, entry: Entry, body: str) -> bytes:
        return self._page("item.html", entry.path, entry.feed.path, entry=entry, body=body)

    def list_page(self, page: ListPage, title: str, section: Section | None, kind: str) -> bytes:
        return self._page(
            "list.html", page.path + "index.html", section.path if section else "",
            page=page, title=title, section=section, kind=kind,
        )  # fmt: skip

    def archive_page(self, months: dict[str, list[tuple[dt.date, int]]]) -> bytes:
        return self._page("archive.html", "archive/index.html", months=months)

    def search_page(self) -> bytes:
        return self._page("search.html", "search/index.html")


LABELS = {
  "zh": {
    "home": "首页",
    "archive": "归档",
    "search": "搜索",
    "search_placeholder": "搜索标题和正文",
    "newer": "较新",
    "older": "较早",
    "original": "阅读原文",
    "page": "第 {n} 页",
    "no_items": "还没有内容。",
    "items": "{n} 条",
    "feeds": "订阅",
    "sources": "来源 (OPML)",
    "no_results": "没有找到。",
    "loading": "正在载入索引…",
    "source": "来源",
  },
  "en": {
    "home": "Home",
    "archive": "Archive",
    "search": "Search",
    "search_placeholder": "Search titles and text",
    "newer": "Newer",
    "older": "Older",
    "original": "Read the original",
    "page": "Page {n}",
    "no_items": "Nothing here yet.",
    "items": "{n} items",
    "feeds": "Feeds",
    "sources": "Sources (OPML)",
    "no_results": "Nothing found.",
    "loading": "Loading the index…",
    "source": "Source",
  },
}  # fmt: skip


def template_environment(user_templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["lazy_images"] = lazy_images
    env.filters["xml_text"] = xml_text
    return env


_IMG_OPEN = re.compile(r"<img", re.IGNORECASE)
_LOADING_ATTR = re.compile(r"\sloading=", re.IGNORECASE)
# Characters XML 1.0 forbids even as references; a feed holding one is not XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def lazy_images(body: str) -> markupsafe.Markup:
    r"""Body images load as the reader scrolls to them.

    What ``<img(?![^>]*\sloading=)`` → ``<img loading="lazy"`` did, in linear
    time: that lookahead scanned to the tag's end from every "<img", and an alt
    text of 100,000 "<img" (nh3 leaves "<" in attribute values) made it quadratic.
    The next ">" and the next " loading=" are looked for again only once the
    scan has passed the last ones found (len(body): there is none).
    """
    out: list[str] = []
    position = 0
    tag_end = loading = -1
    for opening in _IMG_OPEN.finditer(body):
        after = opening.end()
        if tag_end < after:
            found_end = body.find(">", after)
            tag_end = found_end if found_end >= 0 else len(body)
        if loading < after:
            found = _LOADING_ATTR.search(body, after)
            loading = found.start() if found else len(body)
        if loading >= tag_end:  # this tag has no loading attribute
            out += (body[position : opening.start()], '<img loading="lazy"')
            position = after
    out.append(body[position:])
    return markupsafe.Markup("".join(out))


def xml_text(value: str) -> str:
    """Text fit for XML; autoescaping then escapes it."""
    return _NOT_XML.sub("", str(value))
