"""Read and check ``rsspress.yaml``.

The YAML is walked as a node tree (not loaded into plain dicts) so that every
error can name the file, the line, the key and what was expected. A config
that fails any check raises :class:`ConfigError` and nothing runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import json
import os
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rsspress import __version__
from rsspress.config_messages import did_you_mean, missing_level, yaml_problem
from rsspress.rsshub.routes import Route
from rsspress.rsshub.settings import RsshubConfig, read_route, read_rsshub
from rsspress.urls import redact_url, url_host

PROFILES = ("compat", "default")
FORMATS = ("hexo", "hugo", "jekyll", "html")
POST_FORMATS = ("hexo", "hugo", "jekyll")  # one file per item, for a static site generator
TOP_KEYS = ("output", "state", "images", "rsshub", "fetch", "content", "retention", "daemon",
            "feeds")  # fmt: skip
REWRITE_MODES = ("http", "all", "none")
DEFAULT_USER_AGENT = f"rsspress/{__version__} (+https://pypi.org/project/rsspress/)"


class ConfigError(Exception):
    """A config file that cannot be used; the message says where and why."""

    def __init__(self, file: Path | str, line: int | None, key: str, expected: str) -> None:
        where = f"{file}:{line}" if line is not None else str(file)
        super().__init__(f"{where}: {key}: {expected}")
        self.file = str(file)
        self.line = line
        self.key = key
        self.expected = expected


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

    dir: Path
    format: str = "hexo"  # hexo | hugo | jekyll | html
    profile: str = "default"  # compat is Hexo only: the reference site's bytes
    # The HTML site (format: html):
    title: str = "rsspress"
    base_url: str = "/"  # where readers reach the site; absolute URLs in output feeds need it
    timezone: str = "UTC"  # dates in pages before the reader's browser shows its own zone
    page_size: int = 30  # items per list page
    templates: Path | None = None  # a folder whose templates replace the shipped ones
    listen: str = "127.0.0.1:8000"  # where `rsspress serve` previews the site
    language: str = "zh-CN"  # the pages' lang; labels are Chinese, or English for en*

    @property
    def is_site(self) -> bool:
        return self.format == "html"


@dataclass(frozen=True)
class ImagesConfig:
    proxy: str | None = None  # template with {url}, or "self"; None: images are left alone
    rewrite: str = "http"  # which image URLs go through the proxy: http | all | none
    placeholder: str = "https://picsum.photos/400/300?random={n}"
    # Our own proxy (`rsspress proxy`), used when proxy is "self":
    proxy_base: str | None = None  # its public URL, e.g. https://img.example.com
    proxy_key: bytes | None = None  # from images.proxy_key or $RSSPRESS_PROXY_KEY
    proxy_listen: str = "127.0.0.1:8081"
    proxy_metrics_listen: str | None = None  # /metrics on a listener of its own; off by default
    proxy_allow: tuple[str, ...] = ()  # networks the proxy may reach after all (tests only)
    proxy_svg: bool = False
    proxy_max_bytes: int = 5 * 1024 * 1024
    proxy_cache_dir: Path | None = None
    proxy_cache_max_bytes: int = 512 * 1024 * 1024


@dataclass(frozen=True)
class CleanupRule:
    """How to clean the items of some sites or feeds (default profile only)."""

    name: str = ""
    hosts: tuple[str, ...] = ()  # the item link's host, or a subdomain of one of these
    feeds: tuple[str, ...] = ()  # "group", "group/site" or "group/site/feed"
    remove: tuple[str, ...] = ()  # CSS selectors of junk to remove
    keep_only: str | None = None  # CSS selector of the article; everything else goes
    lazy_attrs: tuple[str, ...] = ()  # attributes holding the real image URL
    referer: str | None = None  # the Referer this site's images need (for an image proxy)
    keep_style: bool = False  # keep style attributes (layout-neutral properties only)
    fulltext_selector: str | None = None  # where the article is on this site's pages

    def matches(self, feed: FeedConfig, link_host: str | None) -> bool:
        if not self.hosts and not self.feeds:
            return True
        return host_matches(link_host, self.hosts) or feed_in(feed, self.feeds)


def host_matches(host: str | None, hosts: tuple[str, ...]) -> bool:
    """Is ``host`` one of ``hosts``, or a subdomain of one?"""
    host = (host or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def feed_in(feed: FeedConfig, paths: tuple[str, ...]) -> bool:
    """Is the feed at, or under, one of these "group", "group/site" or "group/site/feed"?"""
    path = "/".join(feed.categories)
    return any(path == p or path.startswith(p + "/") for p in paths)


@dataclass(frozen=True)
class Pattern:
    text: str
    regex: bool  # written as /regex/; otherwise a case-insensitive keyword


FILTER_FIELDS = ("title", "content", "author", "categories", "link")


@dataclass(frozen=True)
class FilterRule:
    """Keep or drop items: all conditions must hold; within a field, any pattern."""

    action: str  # keep | drop
    feeds: tuple[str, ...] = ()  # "group", "group/site" or "group/site/feed"; () for all
    fields: tuple[tuple[str, tuple[Pattern, ...]], ...] = ()
    older_than: dt.timedelta | None = None
    newer_than: dt.timedelta | None = None

    def applies_to(self, feed: FeedConfig) -> bool:
        return not self.feeds or feed_in(feed, self.feeds)

    def describe(self) -> str:
        parts = [f"{name}~{'|'.join(p.text for p in patterns)}" for name, patterns in self.fields]
        if self.older_than is not None:
            parts.append(f"older_than {self.older_than}")
        if self.newer_than is not None:
            parts.append(f"newer_than {self.newer_than}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ContentConfig:
    """How the default profile cleans item HTML."""

    iframe_hosts: tuple[str, ...] = ("player.bilibili.com", "www.youtube.com", "player.vimeo.com")
    rules: tuple[CleanupRule, ...] = ()  # the user's rules, then (unless off) the shipped ones
    filters: tuple[FilterRule, ...] = ()
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
    page_allow: tuple[str, ...] = ()
    # New items published per feed per fetch, newest first; the others are not recorded,
    # so later fetches bring them (a feed of 100,000 items does not flood one run).
    max_new_items: int = 200


@dataclass(frozen=True)
class DaemonConfig:
    """How `rsspress daemon` schedules feeds and publishes (``daemon:`` in the config)."""

    min_interval: float = 5 * 60.0  # a feed is polled at most this often ...
    max_interval: float = 24 * 3600.0  # ... and at least this often
    dead_after: float = 7 * 86400.0  # failing this long (or HTTP 410): dead, not polled
    publish_every: float = 10 * 60.0  # build the sites this often when there is news ...
    publish_after: int = 100  # ... or as soon as this many new items wait
    post_publish: str | None = None  # a shell command run after each publish
    post_publish_timeout: float = 30 * 60.0
    metrics_listen: str | None = "127.0.0.1:9464"  # Prometheus /metrics; None: off
    lease: float = 10 * 60.0  # a worker holds the feeds it takes this long at most ...
    claim: int = 100  # ... and takes this many at a time (several workers share the rest)


POSTGRES_SCHEMES = ("postgresql://", "postgres://")


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


def load_config(path: Path | str) -> Config:
    """Read, check and resolve a config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            path, None, "config", "file not found (create one with `rsspress init`)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, "config", f"a readable UTF-8 file ({exc})") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line, words = yaml_problem(exc)
        raise ConfigError(path, line, "yaml", f"valid YAML; {words}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, "yaml", f"valid YAML ({exc})") from None
    if root is None:
        raise ConfigError(path, 1, "config", "a mapping with at least a `feeds:` key")
    return _Reader(path).config(root)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.resolve().parent
        self._constructor = SafeConstructor()

    # -- node helpers -------------------------------------------------------

    def fail(self, node: Node | None, key: str, expected: str) -> ConfigError:
        line = node.start_mark.line + 1 if node is not None else None
        return ConfigError(self.path, line, key, expected)

    def mapping(
        self, node: Node, key: str, allowed: tuple[str, ...] | None = None
    ) -> dict[str, tuple[Node, Node]]:
        """Return {key text: (key node, value node)}; refuse duplicates and unknown keys."""
        if not isinstance(node, MappingNode):
            raise self.fail(node, key, "a mapping")
        out: dict[str, tuple[Node, Node]] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode):
                raise self.fail(knode, key, "plain keys")
            name = str(knode.value)
            full = f"{key}.{name}" if key else name
            if name in out:
                raise self.fail(knode, full, "each key once (this key is given twice)")
            if allowed is not None and name not in allowed:
                raise self.fail(
                    knode,
                    full,
                    f"a known key{did_you_mean(name, allowed)}; one of: {', '.join(allowed)}",
                )
            out[name] = (knode, vnode)
        return out

    def scalar(self, node: Node, key: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, key, "a single value, not a list or mapping")
        try:
            return self._constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError):
            # An unknown tag (!foo) or an impossible date (2024-99-99). Neither the error's
            # text nor its excerpt of the line is shown: the value may be a secret.
            raise self.fail(
                node, key, "a value YAML can read (quote it to make it a plain string)"
            ) from None

    def string(self, node: Node, key: str, *, choices: tuple[str, ...] = ()) -> str:
        value = self.scalar(node, key)
        if not isinstance(value, str) or value == "":
            want = f"one of: {', '.join(choices)}" if choices else "a non-empty string"
            raise self.fail(node, key, f"{want}, got {value!r}")
        if choices and value not in choices:
            raise self.fail(node, key, f"one of: {', '.join(choices)}, got {value!r}")
        return value

    def secret(self, node: Node, key: str) -> str:
        """A non-empty string whose value no error shows (``key: 12345`` is a number)."""
        value = self.scalar(node, key)
        if value is None or value == "":
            raise self.fail(node, key, "a non-empty string, got nothing")
        if not isinstance(value, str):
            kinds = {bool: "true/false", int: "a number", float: "a number", dt.date: "a date",
                     dt.datetime: "a date", bytes: "binary data"}  # fmt: skip
            kind = kinds.get(type(value), "no string")
            raise self.fail(
                node,
                key,
                f"a string, but YAML read {kind}: put the value in quotes"
                " (it is not shown here: it is a secret)",
            )
        return value

    def number(self, node: Node, key: str, *, integer: bool = False) -> float:
        value = self.scalar(node, key)
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or value <= 0:
            kind = "a positive whole number" if integer else "a positive number"
            raise self.fail(node, key, f"{kind}, got {value!r}")
        return float(value)

    # -- sections -----------------------------------------------------------

    def config(self, root: Node) -> Config:
        top = self.mapping(
            root,
            "",
            TOP_KEYS,
        )
        outputs = self.outputs(top.get("output"))
        state: Path | str = self.string(top["state"][1], "state") if "state" in top else "state.db"
        if not is_postgres(state):
            state = self.resolve_path(str(state))
        images = self.images(top.get("images"))
        rsshub = read_rsshub(self, top["rsshub"][1] if "rsshub" in top else None)
        fetch = self.fetch(top.get("fetch"))
        if "feeds" not in top:
            raise self.fail(root, "feeds", "a `feeds:` mapping of group → site → feed: URL")
        feeds = self.feeds(top["feeds"][1], rsshub)
        content = self.content(top.get("content"))
        return Config(
            retention=self.retention(top.get("retention")),
            daemon=self.daemon(top.get("daemon")),
            content=content,
            path=self.path,
            outputs=outputs,
            state=state,
            images=images,
            rsshub=rsshub,
            fetch=fetch,
            feeds=feeds,
        )

    def resolve_path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base / p

    def outputs(self, pair: tuple[Node, Node] | None) -> tuple[OutputConfig, ...]:
        """``output:`` is one mapping, or a list of them for several outputs at once."""
        if pair is None:
            return (OutputConfig(dir=self.base / "posts"),)
        node = pair[1]
        if not isinstance(node, SequenceNode):
            return (self.output(node, "output"),)
        if not node.value:
            raise self.fail(node, "output", "at least one output")
        outputs = tuple(self.output(item, f"output[{n}]") for n, item in enumerate(node.value))
        seen: dict[Path, int] = {}
        for n, (item, out) in enumerate(zip(node.value, outputs, strict=True)):
            if out.dir in seen:
                raise self.fail(
                    item,
                    f"output[{n}].dir",
                    f"a folder of its own (output[{seen[out.dir]}] writes to {out.dir} too)",
                )
            seen[out.dir] = n
        return outputs

    def output(self, node: Node, key: str) -> OutputConfig:
        names = ("dir", "format", "profile", "title", "base_url", "timezone", "page_size",
                 "templates", "listen", "language")  # fmt: skip
        keys = self.mapping(node, key, names)
        fmt = (
            self.string(keys["format"][1], f"{key}.format", choices=FORMATS)
            if "format" in keys
            else "hexo"
        )
        default_dir = "site" if fmt == "html" else "posts"
        out_dir = self.string(keys["dir"][1], f"{key}.dir") if "dir" in keys else default_dir
        values: dict[str, Any] = {"dir": self.resolve_path(out_dir), "format": fmt}
        if "profile" in keys:
            values["profile"] = self.string(keys["profile"][1], f"{key}.profile", choices=PROFILES)
            if values["profile"] == "compat" and fmt != "hexo":
                raise self.fail(
                    keys["profile"][1],
                    f"{key}.profile",
                    "default: compat reproduces the reference site's Hexo posts only",
                )
        site_keys = (
            "title", "base_url", "timezone", "page_size", "templates", "listen", "language"
        )  # fmt: skip
        if fmt != "html":
            for name in site_keys:
                if name in keys:
                    raise self.fail(keys[name][0], f"{key}.{name}", "format: html for this key")
        for name in ("title", "base_url", "timezone", "listen", "language"):
            if name in keys:
                values[name] = self.string(keys[name][1], f"{key}.{name}")
        if "base_url" in values:
            base = values["base_url"]
            if not (base.startswith("/") or urlsplit(base).scheme in ("http", "https")):
                raise self.fail(
                    keys["base_url"][1],
                    f"{key}.base_url",
                    f"an http(s) URL or a path starting with /, got {base!r}",
                )
            values["base_url"] = base if base.endswith("/") else base + "/"
        if "timezone" in values:
            try:
                zoneinfo.ZoneInfo(values["timezone"])
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise self.fail(
                    keys["timezone"][1],
                    f"{key}.timezone",
                    f"an IANA time zone such as Asia/Shanghai, got {values['timezone']!r}",
                ) from None
        if "page_size" in keys:
            values["page_size"] = int(
                self.number(keys["page_size"][1], f"{key}.page_size", integer=True)
            )
        if "templates" in keys:
            folder = self.resolve_path(self.string(keys["templates"][1], f"{key}.templates"))
            if not folder.is_dir():
                raise self.fail(keys["templates"][1], f"{key}.templates", f"a folder ({folder})")
            values["templates"] = folder
        return OutputConfig(**values)

    def images(self, pair: tuple[Node, Node] | None) -> ImagesConfig:
        if pair is None:
            return ImagesConfig(proxy_key=_env_key())
        names = ("proxy", "rewrite", "placeholder", "proxy_base", "proxy_key", "proxy_listen",
                 "proxy_allow", "proxy_svg", "proxy_max_bytes", "proxy_cache_dir",
                 "proxy_cache_max_bytes", "proxy_metrics_listen")  # fmt: skip
        keys = self.mapping(pair[1], "images", names)
        values: dict[str, Any] = {"proxy_key": _env_key()}
        if "proxy" in keys:
            node = keys["proxy"][1]
            raw = self.scalar(node, "images.proxy")
            if raw not in (None, "", False):
                proxy = self.string(node, "images.proxy")
                if proxy != "self" and "{url}" not in proxy:
                    raise self.fail(
                        node,
                        "images.proxy",
                        "a URL template holding {url}, or self (rsspress proxy), "
                        f"got {redact_url(proxy)!r}",
                    )
                values["proxy"] = proxy
        if "rewrite" in keys:
            values["rewrite"] = self.string(
                keys["rewrite"][1], "images.rewrite", choices=REWRITE_MODES
            )
        for name in ("placeholder", "proxy_base", "proxy_listen", "proxy_metrics_listen"):
            if name in keys:
                values[name] = self.string(keys[name][1], f"images.{name}")
        if "proxy_key" in keys:
            values["proxy_key"] = self.secret(keys["proxy_key"][1], "images.proxy_key").encode()
        if "proxy_allow" in keys:
            node = keys["proxy_allow"][1]
            values["proxy_allow"] = self.strings(node, "images.proxy_allow")
            try:
                parse_networks(values["proxy_allow"])
            except ValueError as exc:
                raise self.fail(
                    node, "images.proxy_allow", f"networks like 127.0.0.1/32 ({exc})"
                ) from None
        if "proxy_svg" in keys:
            values["proxy_svg"] = self.boolean(keys["proxy_svg"][1], "images.proxy_svg")
        for name in ("proxy_max_bytes", "proxy_cache_max_bytes"):
            if name in keys:
                values[name] = int(self.number(keys[name][1], f"images.{name}", integer=True))
        if "proxy_cache_dir" in keys:
            values["proxy_cache_dir"] = self.resolve_path(
                self.string(keys["proxy_cache_dir"][1], "images.proxy_cache_dir")
            )
        images = ImagesConfig(**values)
        if images.proxy == "self":
            where = keys["proxy"][1]
            base = images.proxy_base or ""
            if urlsplit(base).scheme not in ("http", "https"):
                raise self.fail(
                    where, "images.proxy_base", "the proxy's public http(s) URL, for proxy: self"
                )
            if not images.proxy_key:
                raise self.fail(where, "images.proxy_key", MISSING_KEY)
        return images

    def daemon(self, pair: tuple[Node, Node] | None) -> DaemonConfig:
        if pair is None:
            return DaemonConfig()
        names = ("min_interval", "max_interval", "dead_after", "publish_every", "publish_after",
                 "post_publish", "post_publish_timeout", "metrics_listen", "lease",
                 "claim")  # fmt: skip
        keys = self.mapping(pair[1], "daemon", names)
        values: dict[str, Any] = {}
        for name, (_, node) in keys.items():
            key = f"daemon.{name}"
            if name in ("publish_after", "claim"):
                values[name] = int(self.number(node, key, integer=True))
            elif name in ("post_publish", "metrics_listen"):
                raw = self.scalar(node, key)
                values[name] = None if raw in (None, False, "") else self.string(node, key)
            else:
                values[name] = self.duration(node, key).total_seconds()
        daemon = DaemonConfig(**values)
        if daemon.min_interval > daemon.max_interval:
            node = keys.get("min_interval", keys.get("max_interval", (pair[1], pair[1])))[1]
            raise self.fail(node, "daemon.min_interval", "at most daemon.max_interval")
        return daemon

    def retention(self, pair: tuple[Node, Node] | None) -> RetentionConfig:
        if pair is None:
            return RetentionConfig()
        keys = self.mapping(pair[1], "retention", ("days", "per_feed"))
        values: dict[str, Any] = {}
        if "days" in keys:
            values["days"] = self.number(keys["days"][1], "retention.days")
        if "per_feed" in keys:
            values["per_feed"] = int(
                self.number(keys["per_feed"][1], "retention.per_feed", integer=True)
            )
        return RetentionConfig(**values)

    def content(self, pair: tuple[Node, Node] | None) -> ContentConfig:
        values: dict[str, Any] = {}
        rules: list[CleanupRule] = []
        builtin = True
        if pair is not None:
            keys = self.mapping(
                pair[1],
                "content",
                ("iframe_hosts", "rules", "builtin_rules", "filters", "max_body_chars"),
            )
            if "max_body_chars" in keys:
                values["max_body_chars"] = int(
                    self.number(keys["max_body_chars"][1], "content.max_body_chars", integer=True)
                )
            if "filters" in keys:
                values["filters"] = self.filters(keys["filters"][1], "content.filters")
            if "iframe_hosts" in keys:
                values["iframe_hosts"] = self.strings(
                    keys["iframe_hosts"][1], "content.iframe_hosts"
                )
            if "rules" in keys:
                rules = self.rules(keys["rules"][1], "content.rules")
            if "builtin_rules" in keys:
                builtin = self.boolean(keys["builtin_rules"][1], "content.builtin_rules")
        if builtin:
            rules += builtin_rules()
        return ContentConfig(rules=tuple(rules), **values)

    def rules(self, node: Node, key: str) -> list[CleanupRule]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, key, "a list of rules (- hosts: [...] remove: [...])")
        out = []
        for index, item in enumerate(node.value):
            where = f"{key}[{index}]"
            names = ("name", "hosts", "feeds", "remove", "keep_only", "lazy_attrs", "referer",
                     "keep_style", "fulltext_selector")  # fmt: skip
            keys = self.mapping(item, where, names)
            values: dict[str, Any] = {}
            for name, (_, vnode) in keys.items():
                if name in ("hosts", "feeds", "remove", "lazy_attrs"):
                    values[name] = self.strings(vnode, f"{where}.{name}")
                elif name == "keep_style":
                    values[name] = self.boolean(vnode, f"{where}.{name}")
                else:
                    values[name] = self.string(vnode, f"{where}.{name}")
            for name in ("remove", "keep_only", "fulltext_selector"):
                selectors = values.get(name) or ()
                for selector in (selectors,) if isinstance(selectors, str) else selectors:
                    if not valid_selector(selector):
                        raise self.fail(
                            keys[name][1], f"{where}.{name}", f"a CSS selector, got {selector!r}"
                        )
            values["hosts"] = tuple(h.lower() for h in values.get("hosts", ()))
            out.append(CleanupRule(**values))
        return out

    def filters(self, node: Node, key: str) -> tuple[FilterRule, ...]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, key, "a list of filters (- drop: {title: 广告})")
        out = []
        for index, item in enumerate(node.value):
            where = f"{key}[{index}]"
            keys = self.mapping(item, where, ("keep", "drop", "feeds"))
            actions = [a for a in ("keep", "drop") if a in keys]
            if len(actions) != 1:
                raise self.fail(item, where, "exactly one of keep: or drop:")
            action = actions[0]
            ckey = f"{where}.{action}"
            conditions = self.mapping(
                keys[action][1], ckey, (*FILTER_FIELDS, "older_than", "newer_than")
            )
            if not conditions:
                raise self.fail(keys[action][1], ckey, "at least one condition")
            fields = []
            ages: dict[str, dt.timedelta] = {}
            for name, (_, vnode) in conditions.items():
                if name in ("older_than", "newer_than"):
                    ages[name] = self.duration(vnode, f"{ckey}.{name}")
                else:
                    fields.append((name, self.patterns(vnode, f"{ckey}.{name}")))
            feeds = self.strings(keys["feeds"][1], f"{where}.feeds") if "feeds" in keys else ()
            out.append(FilterRule(action, feeds, tuple(fields), **ages))
        return tuple(out)

    def patterns(self, node: Node, key: str) -> tuple[Pattern, ...]:
        out = []
        for text in self.strings(node, key):
            if len(text) > 2 and text.startswith("/") and text.endswith("/"):
                try:
                    re.compile(text[1:-1])
                except re.error as exc:
                    raise self.fail(node, key, f"a valid regular expression ({exc})") from None
                out.append(Pattern(text[1:-1], regex=True))
            else:
                out.append(Pattern(text, regex=False))
        return tuple(out)

    def duration(self, node: Node, key: str) -> dt.timedelta:
        value = self.scalar(node, key)
        match = re.fullmatch(r"(\d+)\s*([smhdw])", str(value).strip())
        if match is None or isinstance(value, bool):
            raise self.fail(node, key, f"a duration such as 30m, 12h or 7d, got {value!r}")
        unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
        return dt.timedelta(**{unit[match.group(2)]: int(match.group(1))})

    def boolean(self, node: Node, key: str) -> bool:
        value = self.scalar(node, key)
        if not isinstance(value, bool):
            raise self.fail(node, key, f"true or false, got {value!r}")
        return value

    def strings(self, node: Node, key: str) -> tuple[str, ...]:
        """A list of strings; a single string counts as a list of one."""
        if isinstance(node, ScalarNode):
            return (self.string(node, key),)
        if not isinstance(node, SequenceNode):
            raise self.fail(node, key, "a list of strings")
        return tuple(self.string(item, key) for item in node.value)

    def fetch(self, pair: tuple[Node, Node] | None) -> FetchConfig:
        if pair is None:
            return FetchConfig()
        names = (
            "concurrency",
            "per_host",
            "connect_timeout",
            "read_timeout",
            "total_timeout",
            "max_bytes",
            "max_redirects",
            "user_agent",
            "retry_base",
            "retry_max",
            "page_allow",
            "max_new_items",
        )
        keys = self.mapping(pair[1], "fetch", names)
        values: dict[str, Any] = {}
        for name, (_, node) in keys.items():
            key = f"fetch.{name}"
            if name == "page_allow":
                values[name] = self.strings(node, key)
                try:
                    parse_networks(values[name])
                except ValueError as exc:
                    raise self.fail(node, key, f"networks like 10.0.0.0/8 ({exc})") from None
            elif name == "user_agent":
                values[name] = self.string(node, key)
            elif name in ("concurrency", "per_host", "max_bytes", "max_redirects", "max_new_items"):
                values[name] = int(self.number(node, key, integer=True))
            else:
                values[name] = self.number(node, key)
        return FetchConfig(**values)

    def feeds(self, node: Node, rsshub: RsshubConfig) -> tuple[FeedConfig, ...]:
        groups = self.mapping(node, "feeds")
        if not groups:
            raise self.fail(node, "feeds", "at least one group → site → feed: URL")
        out: list[FeedConfig] = []
        for group, (_, gnode) in groups.items():
            self.tree_level(gnode, f"feeds.{group}", "sites")
            sites = self.mapping(gnode, f"feeds.{group}")
            for site, (_, snode) in sites.items():
                self.tree_level(snode, f"feeds.{group}.{site}", "feed names")
                named = self.mapping(snode, f"feeds.{group}.{site}")
                for name, (_, fnode) in named.items():
                    key = f"feeds.{group}.{site}.{name}"
                    url, options = self.feed_options(fnode, key, rsshub, (group, site, name))
                    out.append(FeedConfig(group, site, name, url, **options))
        return tuple(out)

    def tree_level(self, node: Node, key: str, level: str) -> None:
        """A group holds sites, a site holds feeds: a URL (or a feed's options) one level
        up means the tree lacks a level."""
        if isinstance(node, MappingNode):
            keys = {str(k.value) for k, _ in node.value if isinstance(k, ScalarNode)}
            if "url" not in keys:
                return
            kind = "a feed's options (url: …)"
        elif isinstance(node, ScalarNode):
            kind = "a single value" if node.value else "nothing"
        else:
            kind = "a list"
        raise self.fail(node, key, missing_level(level, kind))

    def feed_options(
        self, node: Node, key: str, rsshub: RsshubConfig, path: tuple[str, str, str]
    ) -> tuple[str, dict[str, Any]]:
        """A feed is its URL, or a mapping {url: ..., fulltext: true, home: ..., type: ...,
        rsshub: {RSSHub's parameters}}."""
        options: dict[str, Any] = {}
        params: Node | None = None
        if isinstance(node, MappingNode):
            keys = self.mapping(
                node, key, ("url", "fulltext", "home", "type", "rsshub", "max_new_items")
            )
            params = keys["rsshub"][1] if "rsshub" in keys else None
            if "url" not in keys:
                raise self.fail(node, f"{key}.url", "the feed's URL")
            if "fulltext" in keys:
                options["fulltext"] = self.boolean(keys["fulltext"][1], f"{key}.fulltext")
            if "home" in keys:
                options["home"] = self.string(keys["home"][1], f"{key}.home")
            if "max_new_items" in keys:
                options["max_new_items"] = int(
                    self.number(keys["max_new_items"][1], f"{key}.max_new_items", integer=True)
                )
            if "type" in keys:
                options["kind"] = self.string(keys["type"][1], f"{key}.type")
            node = keys["url"][1]
        raw = self.string(node, key)
        if raw.startswith("rsshub:"):
            options["route"] = read_route(self, raw, node, key, rsshub, path, params)
            return options["route"].url, options
        if params is not None:
            raise self.fail(params, f"{key}.rsshub", "an rsshub:/route feed (RSSHub's parameters)")
        base = rsshub.instances[0].base
        url = resolve_feed_url(raw, base, self.base, lambda why: self.fail(node, key, why))
        return url, options


MISSING_KEY = (
    "a secret key for signing image URLs: set images.proxy_key or the environment variable"
    " RSSPRESS_PROXY_KEY (for example to the output of `openssl rand -hex 32`), and keep it:"
    " a new key breaks every published image URL"
)


def _env_key() -> bytes | None:
    value = os.environ.get("RSSPRESS_PROXY_KEY", "")
    return value.encode() if value else None


def parse_networks(
    values: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)


def valid_selector(selector: str) -> bool:
    from selectolax.lexbor import LexborHTMLParser, SelectolaxError

    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError:
        return False
    return True


@functools.cache
def builtin_rules() -> list[CleanupRule]:
    """The cleanup rules shipped with rsspress (rsspress/content/rules.yaml)."""
    path = Path(__file__).parent / "content" / "rules.yaml"
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert root is not None
    return _Reader(path).rules(root, "rules")


def resolve_feed_url(raw: str, rsshub: str, base: Path, fail: Any) -> str:
    """Turn what a user wrote for a feed into an absolute URL.

    ``rsshub:/route`` joins the configured RSSHub base; http(s) and file URLs
    stay; anything else is a path, relative to the config file.
    """
    if raw.startswith("rsshub:"):
        route = raw[len("rsshub:") :]
        if not route.startswith("/"):
            raise fail(f"an RSSHub route like rsshub:/zaker/channel/13, got {redact_url(raw)!r}")
        return rsshub.rstrip("/") + route
    scheme = urlsplit(raw).scheme.lower()
    if scheme in ("http", "https"):
        if not urlsplit(raw).netloc:
            raise fail(f"a URL with a host, got {redact_url(raw)!r}")
        return raw
    if scheme == "file":
        return raw
    if "://" in raw:
        raise fail(f"an http, https, file or rsshub: URL or a file path, got {redact_url(raw)!r}")
    return (base / Path(raw).expanduser()).resolve().as_uri()


EXAMPLE_CONFIG = """\
# rsspress configuration. Relative paths are relative to this file.

output:
  dir: posts            # where posts are written
  format: hexo          # hexo | hugo | jekyll | html (a whole news site)
  profile: default      # default: safe for Hexo; compat: byte for byte like the reference site
# Several outputs at once: a list.
# output:
#   - {dir: source/_posts, format: hexo}
#   - dir: site
#     format: html
#     title: 我的新闻
#     base_url: https://news.example.com/   # where readers reach it (for its feeds)
#     timezone: Asia/Shanghai               # until the reader's browser shows its own zone
#     page_size: 30
#     templates: my-templates               # optional: your own Jinja2 templates

state: state.db         # SQLite file that remembers feeds and published items
# state: postgresql://rsspress@db.example.com/news   # or PostgreSQL, shared by several workers

images:
  # Where http:// images go so they load on an https:// site. {url} is the
  # original URL. Remove the line to leave images alone.
  proxy: "https://cors.zfour.workers.dev/?{url}"
  rewrite: http         # which images go through the proxy: http | all | none
  # The cover of an item without images; {n} is a number stable per item.
  placeholder: "https://picsum.photos/400/300?random={n}"

rsshub: https://rsshub.app   # base of every rsshub:/route below
# rsshub:                    # or several instances (your own first), an access key, parameters
#   instances: [https://rsshub.example.com, https://rsshub.app]
#   key: ${RSSHUB_KEY}       # sent as ?code=md5(route + key), never as it is
#   params: {limit: 50}      # RSSHub's parameters for every route (a feed: {rsshub: {...}})

# fetch:                     # optional; the defaults suit hundreds of feeds
#   concurrency: 64          # feeds fetched at once
#   per_host: 8              # at once on one host (RSSHub answers 429 when pushed)
#   connect_timeout: 10
#   read_timeout: 30
#   total_timeout: 60
#   max_bytes: 20971520      # a bigger feed is refused
#   max_redirects: 5
#   page_allow: []           # networks full-text pages may reach (private ones are refused)
#   max_new_items: 200       # new items per feed per fetch, newest first; the rest come later

# content:                   # optional; how the default profile cleans item HTML
#   iframe_hosts: [player.bilibili.com, www.youtube.com, player.vimeo.com]
#   builtin_rules: true      # shipped rules: ZAKER, cnBeta, 掘金, DockOne, IT之家 ...
#   max_body_chars: 1000000  # a longer item body is not mirrored: its post links to the source
#   rules:                   # your own, applied before the shipped ones
#     - hosts: [example.com]           # items linking to this host (or a subdomain) ...
#       feeds: [科技资讯/IT之家]        # ... or in this group, group/site or group/site/feed
#       remove: [".ad", "#comments"]   # CSS selectors of junk
#       keep_only: "article"           # the article; everything else goes
#       lazy_attrs: [data-lazy]        # where lazy images keep their real URL
#       keep_style: false              # keep harmless style attributes
#       fulltext_selector: ".article"  # the article on this site's pages (for fulltext feeds)
#   filters:                 # drop or keep items; a value is a keyword or a /regex/
#     - drop: {title: [广告, 推广]}
#     - drop: {older_than: 30d}
#     - keep: {categories: 手机}
#       feeds: [科技资讯/IT之家]

# daemon:                    # optional; how `rsspress daemon` runs for months
#   min_interval: 5m         # a feed is polled as often as it publishes, within these bounds
#   max_interval: 24h        # (and never sooner than its ttl, Cache-Control or Retry-After)
#   dead_after: 7d           # failing for this long (or HTTP 410): dead, until `run --force`
#   publish_every: 10m       # build the HTML site this often when there is news ...
#   publish_after: 100       # ... or as soon as this many new items wait
#   post_publish: "hexo generate && hexo deploy"   # run after each publish (in this folder)
#   metrics_listen: 127.0.0.1:9464                # Prometheus /metrics
#   lease: 10m               # with PostgreSQL, several daemons share the feeds: each takes
#   claim: 100               # this many at a time, for this long at most (a killed one's return)

# retention:                 # optional; posts stay for ever unless you say
#   days: 90                 # remove the posts of items older than this
#   per_feed: 500            # keep only the newest N posts of each feed
# (removed items are remembered: they never come back)

# group -> site -> feed name: URL. The three names become the post's
# categories; the site's name is its author.
feeds:
  新媒体:
    ZAKER:
      channel: rsshub:/zaker/channel/13
  科技资讯:
    IT之家:
      最新: https://www.ithome.com/rss/
    cnBeta:
      最新:                       # a feed with options
        url: rsshub:/cnbeta
        fulltext: true            # its items are summaries: fetch and extract each article
"""
