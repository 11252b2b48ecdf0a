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

The stages, one module each: :mod:`.entries` (sections and items as pages show
them), :mod:`.plan` (every file and its key), :mod:`.pages` (HTML pages and
pagination), :mod:`.feeds` (Atom, JSON Feed, sources.opml), :mod:`.search` (the
search index), :mod:`.bodies` (item bodies, read when needed), :mod:`.writer`
(the one writer) and :mod:`.build` (a build under the site's lock).
"""

from __future__ import annotations

from rsspress.publish.site.bodies import BodyLoader, clean_late
from rsspress.publish.site.build import build_site, build_sites
from rsspress.publish.site.entries import Entry, Section, section_tree, site_entries, slugify
from rsspress.publish.site.feeds import FEED_ITEMS, render_atom, render_json, render_sources
from rsspress.publish.site.pages import (
    LABELS,
    ListPage,
    Pages,
    lazy_images,
    paginate,
    template_environment,
    xml_text,
)
from rsspress.publish.site.plan import STATIC_FILES, SiteModel
from rsspress.publish.site.search import SEARCH_SHARD, plan_search, render_shard
from rsspress.publish.site.writer import MANIFEST, Plan, PlannedFile, SiteReport, write_plan

__all__ = [
    "FEED_ITEMS",
    "LABELS",
    "MANIFEST",
    "SEARCH_SHARD",
    "STATIC_FILES",
    "BodyLoader",
    "Entry",
    "ListPage",
    "Pages",
    "Plan",
    "PlannedFile",
    "Section",
    "SiteModel",
    "SiteReport",
    "build_site",
    "build_sites",
    "clean_late",
    "lazy_images",
    "paginate",
    "plan_search",
    "render_atom",
    "render_json",
    "render_shard",
    "render_sources",
    "section_tree",
    "site_entries",
    "slugify",
    "template_environment",
    "write_plan",
    "xml_text",
]
