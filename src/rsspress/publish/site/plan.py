"""Plan the whole site in memory: every file with its input key (a digest of everything it
shows) and how to make its bytes. Nothing is rendered or read here: the writer makes only
the files whose key changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections import defaultdict
from pathlib import Path

from rsspress import __version__
from rsspress.config import Config, OutputConfig
from rsspress.model import SiteItem
from rsspress.publish.site.bodies import BodyLoader
from rsspress.publish.site.entries import Entry, Section, section_tree, site_entries
from rsspress.publish.site.feeds import FEED_ITEMS, render_atom, render_json, render_sources
from rsspress.publish.site.pages import Pages, paginate, template_environment
from rsspress.publish.site.search import plan_search
from rsspress.publish.site.writer import Plan

STATIC_FILES = ("style.css", "site.js", "search.js")
_STATIC = Path(__file__).parent / "static"


class SiteModel:
    """The site's content, planned from the published items; renders pages on demand."""

    def __init__(self, config: Config, out: OutputConfig, items: list[SiteItem]) -> None:
        self.config = config
        self.out = out
        self.zone = zoneinfo.ZoneInfo(out.timezone)
        self.sections = section_tree(config.feeds)
        self.groups = [s for s in self.sections.values() if len(s.names) == 1]
        self.env = template_environment(out.templates)
        self.pages = Pages(
            out, self.env, self.sections.values(), self.groups, config.content.iframe_hosts
        )
        self.fingerprint = self._fingerprint()
        self.entries = site_entries(self.sections, items)

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
        return (_STATIC / name).read_bytes()

    def plan(self, bodies: BodyLoader) -> Plan:
        plan = Plan()
        fp = self.fingerprint
        for name in STATIC_FILES:
            plan.add(f"static/{name}", fp, lambda name=name: self.static(name))  # type: ignore[misc]
        for entry in self.entries:
            plan.add(
                entry.path,
                f"{fp}:{entry.id}:{entry.feed.path}",
                lambda entry=entry: self.pages.item_page(entry, bodies.body(entry)),  # type: ignore[misc]
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
        plan_search(plan, self.entries, fp, self.pages.search_page)
        # The manifest (in the site) keeps each key: the feeds' URLs go in as a digest,
        # never in the clear with their secrets.
        feeds_digest = hashlib.sha256(repr(self.config.feeds).encode()).hexdigest()
        plan.add("sources.opml", fp + feeds_digest, lambda: render_sources(self.config, self.out))
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
                lambda page=page: self.pages.list_page(page, title, section, kind),  # type: ignore[misc]
            )

    def _plan_feeds(
        self, plan: Plan, base: str, title: str, entries: list[Entry], bodies: BodyLoader
    ) -> None:
        newest = entries[:FEED_ITEMS]
        key = f"{self.fingerprint}:{title}:" + ",".join(str(e.id) for e in newest)
        needs = tuple(newest)
        plan.add(
            base + "feed.xml",
            key,
            lambda: render_atom(self.env, self.out, base, title, newest, bodies.body),
            needs,
        )
        plan.add(
            base + "feed.json",
            key,
            lambda: render_json(self.out, base, title, newest, bodies.body),
            needs,
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
        plan.add("archive/index.html", key, lambda: self.pages.archive_page(months))
