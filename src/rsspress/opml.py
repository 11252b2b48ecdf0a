"""OPML in and out: outline nesting is the group → site → feed tree of the config."""

from __future__ import annotations

import io
import stat
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from lxml import etree

from rsspress.atomic import write_atomic
from rsspress.config import EXAMPLE_CONFIG, FeedConfig
from rsspress.rsshub.routes import render_params
from rsspress.rsshub.settings import params_from_query, route_problem
from rsspress.urls import redact_url, web_link

UNGROUPED = "未分组"
# Our own outline attributes, so that export then import loses nothing: an RSSHub
# route stays a route (its xmlUrl is on the first instance), with its parameters.
NAMESPACE = "https://pypi.org/project/rsspress/"
_ROUTE, _PARAMS, _FULLTEXT = (f"{{{NAMESPACE}}}{name}" for name in ("route", "rsshub", "fulltext"))


class OpmlError(Exception):
    pass


@dataclass(frozen=True)
class OpmlFeed:
    group: str
    site: str
    name: str
    url: str
    home: str | None = None
    kind: str | None = None
    route: str | None = None  # rsspress:route, an rsshub:/route as the config writes it
    rsshub: str | None = None  # rsspress:rsshub, RSSHub's parameters as a query string
    fulltext: bool = False  # rsspress:fulltext


def read_opml(data: bytes) -> list[OpmlFeed]:
    """Every feed outline, placed by its ancestors: group / site / feed.

    Two levels of folders are group and site; deeper folders join the site's
    name with " / "; a feed in a single folder is its own site; a feed in no
    folder goes to the group 未分组.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not an OPML file: {exc}") from None
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise OpmlError("not an OPML file: no <opml><body>")
    feeds: list[OpmlFeed] = []
    seen: set[tuple[str, str, str]] = set()

    def walk(outline: Any, folders: list[str]) -> None:
        title = (outline.get("title") or outline.get("text") or "").strip()
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            for child in outline.iterfind("outline"):
                walk(child, [*folders, title or "?"])
            return
        name = title or url
        if len(folders) >= 2:
            group, site = folders[0], " / ".join(folders[1:])
        elif folders:
            group, site = folders[0], name
        else:
            group, site = UNGROUPED, name
        unique, n = name, 2
        while (group, site, unique) in seen:  # two feeds of one name in one site
            unique, n = f"{name} ({n})", n + 1
        seen.add((group, site, unique))
        kind = (outline.get("type") or "").strip().lower() or None
        home = (outline.get("htmlUrl") or "").strip() or None
        route = (outline.get(_ROUTE) or "").strip() or None
        params = (outline.get(_PARAMS) or "").strip() or None
        fulltext = (outline.get(_FULLTEXT) or "").strip().lower() == "true"
        feeds.append(OpmlFeed(group, site, unique, url, home, kind, route, params, fulltext))

    for outline in body.iterfind("outline"):
        walk(outline, [])
    return feeds


def write_opml(feeds: Iterable[FeedConfig], title: str = "rsspress") -> str:
    """The config's feeds as OPML 2.0, nested group → site → feed.

    URLs are written as :func:`redact_url` prints them: an OPML is published
    (the site's sources.opml) and shared, so passwords and secret parameters
    (``?key=``) are ``***``; the config keeps them.
    """
    tree: dict[str, dict[str, list[FeedConfig]]] = {}
    for feed in feeds:
        tree.setdefault(feed.group, {}).setdefault(feed.site, []).append(feed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<opml version="2.0" xmlns:rsspress="{NAMESPACE}">',
        f"  <head><title>{_text(title)}</title></head>",
        "  <body>",
    ]
    for group, sites in tree.items():
        lines.append(f"    <outline text={quoteattr(group)} title={quoteattr(group)}>")
        for site, site_feeds in sites.items():
            lines.append(f"      <outline text={quoteattr(site)} title={quoteattr(site)}>")
            for feed in site_feeds:
                extra = f" htmlUrl={quoteattr(redact_url(feed.home))}" if feed.home else ""
                if feed.route is not None:  # the route and its parameters; never a key
                    extra += f" rsspress:route={quoteattr(redact_url(feed.route.written))}"
                    if feed.route.params:
                        extra += f" rsspress:rsshub={quoteattr(render_params(feed.route.params))}"
                if feed.fulltext:
                    extra += ' rsspress:fulltext="true"'
                lines.append(
                    f"        <outline type={quoteattr(feed.kind or 'rss')}"
                    f" text={quoteattr(feed.name)} title={quoteattr(feed.name)}"
                    f" xmlUrl={quoteattr(redact_url(feed.url))}{extra} />"
                )
            lines.append("      </outline>")
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _text(value: str) -> str:
    return quoteattr(value)[1:-1]


@dataclass(frozen=True)
class ImportResult:
    added: int
    present: int  # already in the config (same place in the tree), left as they were


def import_into_config(config_path: Path, feeds: list[OpmlFeed]) -> ImportResult:
    """Add the feeds to a config file, keeping its comments and everything else.

    A feed whose group / site / name is already there is left alone. A config
    that does not exist yet starts as `rsspress init` writes it, minus its
    sample feeds.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    if config_path.exists():
        document = yaml.load(config_path.read_text(encoding="utf-8"))
    else:
        document = yaml.load(EXAMPLE_CONFIG)
        document["feeds"] = CommentedMap()
    if document.get("feeds") is None:
        document["feeds"] = CommentedMap()
    tree = document["feeds"]
    added = present = 0
    for feed in feeds:
        sites = tree.setdefault(feed.group, CommentedMap())
        named = sites.setdefault(feed.site, CommentedMap())
        if feed.name in named:
            present += 1
            continue
        url = feed.route or feed.url
        params = params_from_query(feed.rsshub) if feed.route and feed.rsshub else {}
        if feed.home or (feed.kind and feed.kind != "rss") or params or feed.fulltext:
            entry = CommentedMap(url=_flow_safe(url))
            if feed.home:
                entry["home"] = _flow_safe(feed.home)
            if feed.kind and feed.kind != "rss":
                entry["type"] = feed.kind
            if feed.fulltext:
                entry["fulltext"] = True
            if params:
                entry["rsshub"] = CommentedMap({k: _flow_safe(v) for k, v in params.items()})
                entry["rsshub"].fa.set_flow_style()
            entry.fa.set_flow_style()
            named[feed.name] = entry
        else:
            named[feed.name] = url
        added += 1
    text = io.StringIO()
    yaml.dump(document, text)
    # The config holds secrets (keys, passwords in URLs): a config only its owner
    # could read must stay so when it is replaced.
    mode = stat.S_IMODE(config_path.stat().st_mode) if config_path.exists() else None
    write_atomic(config_path, text.getvalue(), mode=mode)
    return ImportResult(added, present)


def _flow_safe(value: Any) -> Any:
    """A value for a { … } entry, quoted when it holds a "?": PyYAML (which reads the
    config) takes a ? inside a plain value there for a key indicator."""
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    return SingleQuotedScalarString(value) if isinstance(value, str) and "?" in value else value


@dataclass(frozen=True)
class Skipped:
    feed: OpmlFeed
    reason: str


def importable(feeds: list[OpmlFeed]) -> tuple[list[OpmlFeed], list[Skipped]]:
    """The outlines that may become feeds, and the others with the reason.

    An OPML comes from elsewhere, and a feed URL in the config is one rsspress
    reads and publishes: a ``file://`` outline (``FILE://``, ``file://localhost/…``)
    or a bare path would publish a file of this machine. Only http(s) URLs with a
    host are taken, judged as the config judges feed URLs; a local feed is a line
    the user writes into the config. An ``htmlUrl`` that is not a web link is
    dropped: an exported OPML would publish it as a link.
    """
    kept: list[OpmlFeed] = []
    skipped: list[Skipped] = []
    for feed in feeds:
        if feed.route is not None:  # an RSSHub route: on the config's own instances
            reason = _route_problem(feed)
            if reason is None:
                kept.append(feed if web_link(feed.home) else replace(feed, home=None))
            else:
                skipped.append(Skipped(feed, reason))
            continue
        try:
            parts = urlsplit(feed.url)
        except ValueError:  # e.g. an unclosed [ in the host
            skipped.append(Skipped(feed, "not a valid URL"))
            continue
        if parts.scheme.lower() not in ("http", "https"):
            skipped.append(Skipped(feed, "not an http(s) URL (a local file is added by hand)"))
        elif not parts.netloc:
            skipped.append(Skipped(feed, "an http(s) URL without a host"))
        else:
            kept.append(feed if web_link(feed.home) else replace(feed, home=None))
    return kept, skipped


def _route_problem(feed: OpmlFeed) -> str | None:
    """Why an outline's rsspress:route (and rsspress:rsshub) cannot go into a config."""
    assert feed.route is not None
    if not feed.route.startswith("rsshub:") or route_problem(feed.route) is not None:
        return "its rsspress:route is not an RSSHub route like rsshub:/zaker/channel/13"
    try:
        params_from_query(feed.rsshub or "")
    except ValueError as exc:
        return f"its rsspress:rsshub holds a parameter RSSHub does not take ({exc})"
    return None
