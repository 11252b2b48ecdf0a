"""The HTML news site, built from the state (pelican's way: plan every page, then one writer).

Every page is planned in memory with an *input key*: a digest of everything
the page shows (its items' ids, its place in the pagination, the templates
and the settings). The writer renders only the pages whose key differs from
the last build's manifest, compares the result with the file on disk and
writes only what changed, atomically. Items never change once published, so
a run that adds ten items re-renders a handful of list pages and ten item
pages, not the site.

Pagination is stable: pages are numbered from the oldest items, so page 3
holds the same items for ever, and only the newest pages move when items
arrive. The front page of a list shows the newest one or two pages' worth.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import time
import unicodedata
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urljoin

import jinja2
import markupsafe

from rsspress import __version__
from rsspress.config import Config, FeedConfig, OutputConfig
from rsspress.content import prepare_body
from rsspress.content.rules import rule_for
from rsspress.dates import item_when
from rsspress.decide import placeholder_number
from rsspress.opml import write_opml
from rsspress.publish import remove_stale_temp_files, write_atomic
from rsspress.publish.post import plain_title
from rsspress.store import SiteItem, Store
from rsspress.urls import url_scheme, web_link, without_secrets

MANIFEST = ".rsspress-site.json"
FEED_ITEMS = 20  # entries in each output feed
SEARCH_SHARD = 2000  # items per search index file, by item id: old shards never change
STATIC_FILES = ("style.css", "site.js", "search.js")
_HERE = Path(__file__).parent


@dataclass(frozen=True)
class SiteReport:
    pages: int  # pages and files the site has
    written: int  # written now (new or changed)
    unchanged: int  # rendered, but the file on disk was the same
    removed: int  # files of items or pages that are gone
    seconds: float = 0.0  # build_site times the whole build


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


@dataclass(frozen=True)
class ListPage:
    """One page of a paginated list: its entries (newest first) and its neighbours."""

    path: str
    number: int  # 0 for the list's front page
    entries: tuple[Entry, ...]
    newer: str | None  # path of the page with newer items
    older: str | None


@dataclass(frozen=True)
class PlannedFile:
    key: str  # digest of its inputs: the same key, the same bytes
    make: Callable[[], bytes]
    needs: tuple[Entry, ...] = ()  # items whose bodies it shows


@dataclass
class Plan:
    """Every file of the site: its path, input key and how to make its bytes."""

    files: dict[str, PlannedFile] = field(default_factory=dict)

    def add(
        self, path: str, key: str, make: Callable[[], bytes], needs: tuple[Entry, ...] = ()
    ) -> None:
        self.files[path] = PlannedFile(key, make, needs)


def build_sites(config: Config, store: Store) -> list[SiteReport]:
    return [build_site(config, out, store) for out in config.site_outputs]


def build_site(config: Config, out: OutputConfig, store: Store) -> SiteReport:
    """Build (or bring up to date) one HTML site from the state."""
    started = time.perf_counter()
    out.dir.mkdir(parents=True, exist_ok=True)
    with _site_lock(out.dir):
        remove_stale_temp_files(out.dir)
        for sub in ("a", "static", "search"):
            remove_stale_temp_files(out.dir / sub)
        site = SiteModel(config, out, store.site_items())
        bodies = BodyLoader(store, site)
        report = write_plan(out.dir, site.plan(bodies), bodies.preload)
    return dataclasses.replace(report, seconds=time.perf_counter() - started)


@contextmanager
def _site_lock(directory: Path) -> Iterator[None]:
    """One builder per site at a time (`rsspress serve` and a run may both build)."""
    with open(directory / ".rsspress-site.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# -- the model ------------------------------------------------------------------


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
        key = feed.key if feed else _names_key(names)
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


def _names_key(names: tuple[str, ...]) -> str:
    return json.dumps(list(names), ensure_ascii=False)


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


class SiteModel:
    """The site's content, planned from the published items; renders pages on demand."""

    def __init__(self, config: Config, out: OutputConfig, items: list[SiteItem]) -> None:
        self.config = config
        self.out = out
        self.zone = zoneinfo.ZoneInfo(out.timezone)
        self.sections = section_tree(config.feeds)
        self.groups = [s for s in self.sections.values() if len(s.names) == 1]
        self.env = template_environment(out.templates)
        # The CSP's frame-src: the iframe hosts the sanitizer lets through.
        hosts = config.content.iframe_hosts
        self.frame_sources = " ".join(f"https://{h}" for h in hosts) or "'none'"
        self.fingerprint = self._fingerprint()
        lineage = {
            key: (self.sections[_names_key(f.names[:1])], self.sections[_names_key(f.names[:2])], f)
            for key, f in self.sections.items()
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
        self.entries = entries

    def _fingerprint(self) -> str:
        """Everything every page depends on besides its items."""
        digest = hashlib.sha256(__version__.encode())
        for name in sorted(self.env.list_templates()):
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            digest.update(name.encode() + b"\0" + source.encode() + b"\0")
        for name in STATIC_FILES:
            digest.update(self.static(name))
        settings = (self.out.title, self.out.base_url, self.out.timezone, self.out.page_size)
        digest.update(repr(settings).encode())
        # The navigation lists the groups on every page.
        digest.update(repr([(g.name, g.path) for g in self.groups]).encode())
        return digest.hexdigest()[:16]

    def static(self, name: str) -> bytes:
        if self.out.templates is not None and (self.out.templates / "static" / name).is_file():
            return (self.out.templates / "static" / name).read_bytes()
        return (_HERE / "static" / name).read_bytes()

    # -- planning -----------------------------------------------------------------

    def plan(self, bodies: BodyLoader) -> Plan:
        plan = Plan()
        fp = self.fingerprint
        for name in STATIC_FILES:
            plan.add(f"static/{name}", fp, lambda name=name: self.static(name))  # type: ignore[misc]
        for entry in self.entries:
            plan.add(
                entry.path,
                f"{fp}:{entry.id}:{entry.feed.path}",
                lambda entry=entry: self.render_item(entry, bodies),  # type: ignore[misc]
                (entry,),
            )
        lists: list[tuple[str, str, list[Entry], Section | None]] = [
            ("", self.out.title, self.entries, None)
        ]
        by_section: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            for section in entry.sections:
                by_section[section.path].append(entry)
        for section in self.sections.values():
            lists.append((section.path, section.title, by_section.get(section.path, []), section))
        for base, title, entries, of_section in lists:
            self._plan_list(plan, base, title, entries, of_section)
            self._plan_feeds(plan, base, title, entries, bodies)
        self._plan_archive(plan)
        self._plan_search(plan)
        # The manifest (in the site) keeps each key: the feeds' URLs go in as a digest,
        # never in the clear with their secrets.
        feeds_digest = hashlib.sha256(repr(self.config.feeds).encode()).hexdigest()
        plan.add("sources.opml", fp + feeds_digest, self.render_opml)
        return plan

    def _plan_list(
        self,
        plan: Plan,
        base: str,
        title: str,
        entries: list[Entry],
        section: Section | None,
        *,
        kind: str = "list",
    ) -> None:
        for page in paginate(entries, base, self.out.page_size):
            key = ":".join(
                [self.fingerprint, title, str(page.number), str(page.newer), str(page.older)]
                + [str(e.id) for e in page.entries]
            )
            plan.add(
                page.path + "index.html",
                key,
                lambda page=page: self.render_list(page, title, section, kind),  # type: ignore[misc]
            )

    def _plan_feeds(
        self, plan: Plan, base: str, title: str, entries: list[Entry], bodies: BodyLoader
    ) -> None:
        newest = entries[:FEED_ITEMS]
        key = f"{self.fingerprint}:{title}:" + ",".join(str(e.id) for e in newest)
        needs = tuple(newest)
        plan.add(
            base + "feed.xml", key, lambda: self.render_atom(base, title, newest, bodies), needs
        )
        plan.add(
            base + "feed.json", key, lambda: self.render_json(base, title, newest, bodies), needs
        )

    def _plan_archive(self, plan: Plan) -> None:
        days: dict[dt.date, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            days[entry.when.astimezone(self.zone).date()].append(entry)
        for day, entries in days.items():
            title = day.isoformat()
            self._plan_list(plan, f"archive/{day:%Y/%m/%d}/", title, entries, None, kind="day")
        months: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
        for day in sorted(days, reverse=True):
            months[f"{day:%Y-%m}"].append((day, len(days[day])))
        key = self.fingerprint + repr(sorted(months.items()))
        plan.add("archive/index.html", key, lambda: self.render_archive(months))

    def _plan_search(self, plan: Plan) -> None:
        shards: dict[int, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            shards[entry.id // SEARCH_SHARD].append(entry)
        index = []
        for number, entries in sorted(shards.items()):
            name = f"s{number}.json"
            key = self.fingerprint + ":" + ",".join(str(e.id) for e in entries)
            plan.add(f"search/{name}", key, lambda e=entries: self.render_shard(e))  # type: ignore[misc]
            index.append({"file": name, "items": len(entries)})
        data = json.dumps({"shards": index}, ensure_ascii=False).encode()
        plan.add("search/index.json", self.fingerprint + data.decode(), lambda: data)
        plan.add("search/index.html", self.fingerprint, self.render_search_page)

    # -- rendering ----------------------------------------------------------------

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

    def clean_late(self, entry: Entry, content: str) -> str:
        """The body of an item published before the site existed: cleaned now, as a run would."""
        assert entry.feed.feed is not None
        rule = rule_for(self.config.content.rules, entry.feed.feed, entry.link)
        return prepare_body(
            content,
            base_url=entry.link or without_secrets(entry.feed.feed.url),
            images=self.config.images,
            profile="default",
            placeholder_n=placeholder_number(entry.slug),
            content=self.config.content,
            rule=rule,
        ).html

    def children(self, section: Section) -> list[Section]:
        return [s for s in self.sections.values() if s.path.startswith(section.path)
                and s.path.count("/") == section.path.count("/") + 1]  # fmt: skip

    def local_time(self, when: dt.datetime) -> str:
        return when.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def render_item(self, entry: Entry, bodies: BodyLoader) -> bytes:
        return self._page(
            "item.html", entry.path, entry.feed.path, entry=entry, body=bodies.body(entry)
        )

    def render_list(self, page: ListPage, title: str, section: Section | None, kind: str) -> bytes:
        return self._page(
            "list.html", page.path + "index.html", section.path if section else "",
            page=page, title=title, section=section, kind=kind,
        )  # fmt: skip

    def render_archive(self, months: dict[str, list[tuple[dt.date, int]]]) -> bytes:
        return self._page("archive.html", "archive/index.html", months=months)

    def render_search_page(self) -> bytes:
        return self._page("search.html", "search/index.html")

    def render_shard(self, entries: list[Entry]) -> bytes:
        rows = [
            [e.slug, e.title, e.summary, e.when.isoformat(), e.feed.title, e.cover or ""]
            for e in entries
        ]
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()

    def render_opml(self) -> bytes:
        return write_opml(self.config.feeds, self.out.title).encode("utf-8")

    @property
    def _absolute(self) -> bool:
        return url_scheme(self.out.base_url) in ("http", "https")

    def absolute(self, path: str) -> str:
        """A URL for output feeds: absolute when the site's base_url is."""
        return urljoin(self.out.base_url, quote(path))

    def render_atom(self, base: str, title: str, entries: list[Entry], bodies: BodyLoader) -> bytes:
        updated = entries[0].when if entries else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return (
            self.env.get_template("feed.xml")
            .render(
                site=self.out,
                title=title,
                version=__version__,
                feed_id=self.absolute(base) if self._absolute else f"urn:rsspress:/{quote(base)}",
                feed_url=self.absolute(base + "feed.xml"),
                home_url=self.absolute(base),
                updated=updated,
                entries=[(e, self.absolute(e.path), bodies.body(e)) for e in entries],
            )
            .encode("utf-8")
        )

    def render_json(self, base: str, title: str, entries: list[Entry], bodies: BodyLoader) -> bytes:
        absolute = self._absolute
        feed: dict[str, object] = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
        }
        if absolute:
            feed["home_page_url"] = self.absolute(base)
            feed["feed_url"] = self.absolute(base + "feed.json")
        items = []
        for entry in entries:
            item: dict[str, object] = {
                "id": f"urn:rsspress:{entry.slug}",
                "title": entry.title,
                "content_html": bodies.body(entry),
                "date_published": entry.when.isoformat(),
                "authors": [{"name": entry.site.name}],
                "tags": list(entry.feed.names),
            }
            if absolute:
                item["url"] = self.absolute(entry.path)
            if entry.link and entry.link.startswith(("http://", "https://")):
                item["external_url"] = entry.link
            if entry.summary:
                item["summary"] = entry.summary
            if entry.cover:
                item["image"] = entry.cover
            items.append(item)
        feed["items"] = items
        return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")


class BodyLoader:
    """Item bodies, read from the state only for the pages that are rendered."""

    def __init__(self, store: Store, site: SiteModel) -> None:
        self.store = store
        self.site = site
        self.cache: dict[int, str] = {}

    def preload(self, entries: Iterable[Entry]) -> None:
        missing = [e for e in entries if e.id not in self.cache]
        if not missing:
            return
        found = self.store.site_bodies(e.id for e in missing)
        for entry in missing:
            stored = found.get(entry.id)
            if stored is None:
                self.cache[entry.id] = ""
            elif stored.body is not None:
                self.cache[entry.id] = stored.body
            else:
                self.cache[entry.id] = self.site.clean_late(entry, stored.content)

    def body(self, entry: Entry) -> str:
        if entry.id not in self.cache:
            self.preload([entry])
        return self.cache[entry.id]


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
    loaders.append(jinja2.FileSystemLoader(str(_HERE / "templates")))
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


# -- the writer -------------------------------------------------------------------


def write_plan(directory: Path, plan: Plan, preload: Callable[[list[Entry]], None]) -> SiteReport:
    """Write what changed, remove what is gone, then record the new manifest.

    A file whose input key is the manifest's and which exists is not even
    rendered. A killed build leaves the old manifest: the next build renders
    the files it had not recorded, finds the ones already written equal, and
    goes on.
    """
    manifest_path = directory / MANIFEST
    try:
        old: dict[str, str] = json.loads(manifest_path.read_text("utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        old = {}
    written = unchanged = removed = 0
    made_dirs: set[Path] = set()
    existing = _files_under(directory)
    todo = [
        (path, planned)
        for path, planned in plan.files.items()
        if old.get(path) != planned.key or path not in existing
    ]
    preload([entry for _, planned in todo for entry in planned.needs])
    for path, planned in todo:
        target = directory / path
        data = planned.make()
        try:
            if target.read_bytes() == data:
                unchanged += 1
                continue
        except FileNotFoundError:
            pass
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        write_atomic(target, data)
        written += 1
    for path in old.keys() - plan.files.keys():
        target = directory / path
        if target.is_file():
            target.unlink()
            removed += 1
            _remove_empty_parents(target.parent, directory)
    manifest = {"version": 1, "files": {path: p.key for path, p in plan.files.items()}}
    write_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False))
    return SiteReport(len(plan.files), written, unchanged, removed)


def _files_under(directory: Path) -> set[str]:
    """Every file below ``directory``, as a relative POSIX path (one scandir per folder)."""
    found: set[str] = set()
    root = str(directory)
    for folder, _, names in os.walk(root):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        found.update(prefix + name for name in names)
    return found


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
