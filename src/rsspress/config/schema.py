"""What a config holds: one frozen dataclass per section of ``rsspress.yaml``.

A section's keys are its fields' names (:mod:`rsspress.config.loader` reads them from
the fields), so an option is one field here. Its type says how its value is read
(a number, a string, a list of strings, a path); where the type does not say it all,
``field(metadata=read_as(...))`` does: a duration, a secret, a list of networks.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rsspress import __version__
from rsspress.model import FilterAction, Format, Profile
from rsspress.rsshub.routes import Route
from rsspress.rsshub.settings import RsshubConfig
from rsspress.urls import url_host

DEFAULT_USER_AGENT = f"rsspress/{__version__} (+https://pypi.org/project/rsspress/)"
FORMATS = tuple(fmt.value for fmt in Format)  # what `rsspress init --format` offers
REWRITE_MODES = ("http", "all", "none")
FILTER_FIELDS = ("title", "content", "author", "categories", "link")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class ReadAs:
    """How the loader reads a field's value where the field's type does not say it all."""

    duration: bool = False  # 30m, 12h or 7d; kept as seconds (a float field)
    secret: bool = False  # no error shows its value
    off: bool = False  # null, false or "" leave the option off (None)
    choices: tuple[str, ...] = ()  # the values it may take (an enum field's come from it)
    networks: str = ""  # a list of networks; an error shows this one as an example
    selector: bool = False  # CSS selectors (one, or a list): each must parse
    site: bool = False  # an HTML site's option: other formats refuse it
    own: bool = False  # the section's own code reads it (a nested structure)


READ_AS = "rsspress.read_as"  # the metadata key holding a field's ReadAs


def read_as(how: ReadAs) -> Mapping[str, ReadAs]:
    """A field's metadata: ``field(default=..., metadata=read_as(ReadAs(...)))``."""
    return {READ_AS: how}


DURATION = read_as(ReadAs(duration=True))
SECRET = read_as(ReadAs(secret=True))
OFF = read_as(ReadAs(off=True))
SELECTOR = read_as(ReadAs(selector=True))
SITE = read_as(ReadAs(site=True))
OWN = read_as(ReadAs(own=True))


@dataclass(frozen=True)
class FeedConfig:
    """One feed of the tree group → site → feed."""

    group: str
    site: str
    name: str
    url: str  # absolute: http(s):// or file://
    fulltext: bool = False  # fetch each item's page and extract the article
    max_new_items: int | None = None  # this feed's own fetch.max_new_items
    home: str | None = None  # the site's own page (OPML htmlUrl)
    kind: str | None = None  # the feed's format as an OPML file names it (rss, atom, json)
    route: Route | None = None  # an rsshub:/route: its parameters and instances (rsspress.rsshub)

    @property
    def pause_host(self) -> str | None:
        """What a host pause (429) holds it back by: its URL's host, or its RSSHub instances."""
        return self.route.pause_key if self.route is not None else url_host(self.url)

    @property
    def key(self) -> str:
        """Stable identity of the feed: its place in the tree, not its URL.

        Users move RSSHub routes between instances (rsshub.app → their own), so
        the URL may change while the feed stays the same feed.
        """
        return json.dumps([self.group, self.site, self.name], ensure_ascii=False)

    @property
    def categories(self) -> tuple[str, str, str]:
        return (self.group, self.site, self.name)

    @property
    def label(self) -> str:
        return f"{self.group} / {self.site} / {self.name}"


@dataclass(frozen=True)
class OutputConfig:
    """One place rsspress publishes to: posts for a generator, or a whole HTML site."""

    dir: Path  # default: posts, or site for format: html
    format: Format = Format.HEXO
    profile: Profile = Profile.DEFAULT  # compat is Hexo only: the reference site's bytes
    # The HTML site (format: html):
    title: str = field(default="rsspress", metadata=SITE)
    # where readers reach the site; absolute URLs in output feeds need it
    base_url: str = field(default="/", metadata=SITE)
    # dates in pages before the reader's browser shows its own zone
    timezone: str = field(default="UTC", metadata=SITE)
    page_size: int = field(default=30, metadata=SITE)  # items per list page
    # a folder whose templates replace the shipped ones
    templates: Path | None = field(default=None, metadata=SITE)
    listen: str = field(default="127.0.0.1:8000", metadata=SITE)  # `rsspress serve` previews
    # the pages' lang; labels are Chinese, or English for en*
    language: str = field(default="zh-CN", metadata=SITE)

    @property
    def is_site(self) -> bool:
        return self.format == Format.HTML


@dataclass(frozen=True)
class ImagesConfig:
    # template with {url}, or "self"; None: images are left alone
    proxy: str | None = field(default=None, metadata=OFF)
    # which image URLs go through the proxy
    rewrite: str = field(default="http", metadata=read_as(ReadAs(choices=REWRITE_MODES)))
    placeholder: str = "https://picsum.photos/400/300?random={n}"
    # Our own proxy (`rsspress proxy`), used when proxy is "self":
    proxy_base: str | None = None  # its public URL, e.g. https://img.example.com
    # from images.proxy_key or $RSSPRESS_PROXY_KEY
    proxy_key: bytes | None = field(default=None, metadata=SECRET)
    proxy_listen: str = "127.0.0.1:8081"
    # networks the proxy may reach after all (tests only)
    proxy_allow: tuple[str, ...] = field(
        default=(), metadata=read_as(ReadAs(networks="127.0.0.1/32"))
    )
    proxy_svg: bool = False
    proxy_max_bytes: int = 5 * 1024 * 1024
    proxy_cache_dir: Path | None = None
    proxy_cache_max_bytes: int = 512 * 1024 * 1024
    proxy_metrics_listen: str | None = None  # /metrics on a listener of its own; off by default


@dataclass(frozen=True)
class CleanupRule:
    """How to clean the items of some sites or feeds (default profile only);
    :mod:`rsspress.content.rules` picks and applies them."""

    name: str = ""
    hosts: tuple[str, ...] = ()  # the item link's host, or a subdomain of one of these
    feeds: tuple[str, ...] = ()  # "group", "group/site" or "group/site/feed"
    remove: tuple[str, ...] = field(default=(), metadata=SELECTOR)  # junk to remove
    # the article; everything else goes
    keep_only: str | None = field(default=None, metadata=SELECTOR)
    lazy_attrs: tuple[str, ...] = ()  # attributes holding the real image URL
    referer: str | None = None  # the Referer this site's images need (for an image proxy)
    keep_style: bool = False  # keep style attributes (layout-neutral properties only)
    # where the article is on this site's pages
    fulltext_selector: str | None = field(default=None, metadata=SELECTOR)


@dataclass(frozen=True)
class Pattern:
    text: str
    regex: bool  # written as /regex/; otherwise a case-insensitive keyword


@dataclass(frozen=True)
class FilterRule:
    """Keep or drop items: all conditions must hold; within a field, any pattern;
    :mod:`rsspress.content.filters` applies them."""

    action: FilterAction
    feeds: tuple[str, ...] = ()  # "group", "group/site" or "group/site/feed"; () for all
    fields: tuple[tuple[str, tuple[Pattern, ...]], ...] = ()
    older_than: dt.timedelta | None = None
    newer_than: dt.timedelta | None = None


@dataclass(frozen=True)
class ContentConfig:
    """How the default profile cleans item HTML."""

    iframe_hosts: tuple[str, ...] = ("player.bilibili.com", "www.youtube.com", "player.vimeo.com")
    # the user's rules, then (unless builtin_rules is false) the shipped ones
    rules: tuple[CleanupRule, ...] = field(default=(), metadata=OWN)
    builtin_rules: bool = True  # the loader put the shipped rules after the user's
    filters: tuple[FilterRule, ...] = field(default=(), metadata=OWN)
    # A longer item body is not processed: its post says so (rsspress.content.budget).
    max_body_chars: int = 1_000_000


@dataclass(frozen=True)
class FetchConfig:
    concurrency: int = 64
    per_host: int = 8
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    retry_base: float = 300.0  # first backoff after a failure, seconds
    retry_max: float = 24 * 3600.0
    # Networks that article pages (full text) may reach after all: feeds name those
    # pages, so loopback, private and metadata addresses are refused unless listed.
    page_allow: tuple[str, ...] = field(default=(), metadata=read_as(ReadAs(networks="10.0.0.0/8")))
    # New items published per feed per fetch, newest first; the others are not recorded,
    # so later fetches bring them (a feed of 100,000 items does not flood one run).
    max_new_items: int = 200


@dataclass(frozen=True)
class DaemonConfig:
    """How `rsspress daemon` schedules feeds and publishes (``daemon:`` in the config).
    Durations are written 30m, 12h, 7d and kept as seconds."""

    min_interval: float = field(default=5 * 60.0, metadata=DURATION)  # polled at most this often
    max_interval: float = field(default=24 * 3600.0, metadata=DURATION)  # ... and at least
    # failing this long (or HTTP 410): dead, not polled
    dead_after: float = field(default=7 * 86400.0, metadata=DURATION)
    # build the sites this often when there is news ...
    publish_every: float = field(default=10 * 60.0, metadata=DURATION)
    publish_after: int = 100  # ... or as soon as this many new items wait
    post_publish: str | None = field(default=None, metadata=OFF)  # run after each publish
    post_publish_timeout: float = field(default=30 * 60.0, metadata=DURATION)
    # Prometheus /metrics; None: off
    metrics_listen: str | None = field(default="127.0.0.1:9464", metadata=OFF)
    # a worker holds the feeds it takes this long at most ...
    lease: float = field(default=10 * 60.0, metadata=DURATION)
    claim: int = 100  # ... and takes this many at a time (several workers share the rest)


def is_postgres(state: Path | str) -> bool:
    """Whether ``state:`` names a PostgreSQL database rather than an SQLite file."""
    return isinstance(state, str) and state.startswith(POSTGRES_SCHEMES)


@dataclass(frozen=True)
class RetentionConfig:
    """How long posts stay. None: for ever."""

    days: float | None = None  # posts of items older than this go
    per_feed: int | None = None  # only the newest N posts of each feed stay


@dataclass(frozen=True)
class Config:
    path: Path
    outputs: tuple[OutputConfig, ...]
    state: Path | str  # an SQLite file, or a postgresql:// URL
    images: ImagesConfig
    rsshub: RsshubConfig
    fetch: FetchConfig
    feeds: tuple[FeedConfig, ...] = field(default_factory=tuple)
    content: ContentConfig = field(default_factory=ContentConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    daemon: DaemonConfig = field(default_factory=DaemonConfig)

    @property
    def post_outputs(self) -> tuple[OutputConfig, ...]:
        """Outputs that get a file per item as it is published (Hexo, Hugo, Jekyll)."""
        return tuple(out for out in self.outputs if not out.is_site)

    @property
    def site_outputs(self) -> tuple[OutputConfig, ...]:
        """HTML sites, built from the state after each run (or by `rsspress build`)."""
        return tuple(out for out in self.outputs if out.is_site)
