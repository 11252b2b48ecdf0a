"""Read and check ``rsspress.yaml``: :func:`load_config`.

A section's keys are its dataclass's fields (:mod:`rsspress.config.schema`), read by
:meth:`NodeReader.section`; what is left here is what a field cannot say: a default
that depends on another key, checks across keys, and the nested structures (feeds,
rules, filters). A config that fails any check raises :class:`ConfigError` and
nothing runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rsspress.config.nodes import ConfigError, NodeReader, options
from rsspress.config.schema import (
    FILTER_FIELDS,
    CleanupRule,
    Config,
    ContentConfig,
    DaemonConfig,
    FeedConfig,
    FetchConfig,
    FilterRule,
    ImagesConfig,
    OutputConfig,
    Pattern,
    RetentionConfig,
    is_postgres,
)
from rsspress.config_messages import missing_level, yaml_problem
from rsspress.model import FilterAction, Format, Profile
from rsspress.rsshub.settings import RsshubConfig, read_route, read_rsshub
from rsspress.urls import redact_url

TOP_KEYS = ("output", "state", "images", "rsshub", "fetch", "content", "retention", "daemon",
            "feeds")  # fmt: skip
FEED_KEYS = ("url", "fulltext", "home", "type", "rsshub", "max_new_items")
MISSING_KEY = (
    "a secret key for signing image URLs: set images.proxy_key or the environment variable"
    " RSSPRESS_PROXY_KEY (for example to the output of `openssl rand -hex 32`), and keep it:"
    " a new key breaks every published image URL"
)
# The cleanup rules shipped with rsspress, beside the code that applies them.
BUILTIN_RULES = Path(__file__).parent.parent / "content" / "rules.yaml"

Pair = tuple[Node, Node]  # a key's node and its value's node
Section = TypeVar("Section")


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


@functools.cache
def builtin_rules() -> list[CleanupRule]:
    """The cleanup rules shipped with rsspress (rsspress/content/rules.yaml)."""
    root = yaml.compose(BUILTIN_RULES.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert root is not None
    return _Reader(BUILTIN_RULES).rules(root, "rules")


def _env_key() -> bytes | None:
    value = os.environ.get("RSSPRESS_PROXY_KEY", "")
    return value.encode() if value else None


class _Reader(NodeReader):
    """The sections of one config file."""

    def config(self, root: Node) -> Config:
        top = self.mapping(root, "", TOP_KEYS)
        outputs = self.outputs(top.get("output"))
        state: Path | str = self.string(top["state"][1], "state") if "state" in top else "state.db"
        if not is_postgres(state):
            state = self.resolve_path(str(state))
        images = self.images(top.get("images"))
        rsshub = read_rsshub(self, top["rsshub"][1] if "rsshub" in top else None)
        fetch = self.simple(top.get("fetch"), "fetch", FetchConfig)
        if "feeds" not in top:
            raise self.fail(root, "feeds", "a `feeds:` mapping of group → site → feed: URL")
        feeds = self.feeds(top["feeds"][1], rsshub)
        content = self.content(top.get("content"))
        return Config(
            retention=self.simple(top.get("retention"), "retention", RetentionConfig),
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

    def simple(self, pair: Pair | None, key: str, section: type[Section]) -> Section:
        """A section that its fields say all of; absent, its defaults."""
        if pair is None:
            return section()
        values, _ = self.section(pair[1], key, section)
        return section(**values)

    def outputs(self, pair: Pair | None) -> tuple[OutputConfig, ...]:
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
        keys = self.section_keys(node, key, OutputConfig)
        known = {option.name: option for option in options(OutputConfig)}
        fmt: Format = Format.HEXO
        if "format" in keys:
            fmt = self.value(keys["format"][1], f"{key}.format", known["format"])
        if fmt != Format.HTML:
            for name in keys:
                if known[name].how.site:
                    raise self.fail(keys[name][0], f"{key}.{name}", "format: html for this key")
        values = self.values(keys, key, OutputConfig)
        values.setdefault("dir", self.resolve_path("site" if fmt == Format.HTML else "posts"))
        if values.get("profile") == Profile.COMPAT and fmt != Format.HEXO:
            raise self.fail(
                keys["profile"][1],
                f"{key}.profile",
                "default: compat reproduces the reference site's Hexo posts only",
            )
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
        if "templates" in values and not values["templates"].is_dir():
            folder = values["templates"]
            raise self.fail(keys["templates"][1], f"{key}.templates", f"a folder ({folder})")
        return OutputConfig(**values)

    def images(self, pair: Pair | None) -> ImagesConfig:
        if pair is None:
            return ImagesConfig(proxy_key=_env_key())
        values, keys = self.section(pair[1], "images", ImagesConfig)
        values.setdefault("proxy_key", _env_key())
        proxy = values.get("proxy")
        if proxy is not None and proxy != "self" and "{url}" not in proxy:
            raise self.fail(
                keys["proxy"][1],
                "images.proxy",
                "a URL template holding {url}, or self (rsspress proxy), "
                f"got {redact_url(proxy)!r}",
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

    def daemon(self, pair: Pair | None) -> DaemonConfig:
        if pair is None:
            return DaemonConfig()
        values, keys = self.section(pair[1], "daemon", DaemonConfig)
        daemon = DaemonConfig(**values)
        if daemon.min_interval > daemon.max_interval:
            node = keys.get("min_interval", keys.get("max_interval", pair))[1]
            raise self.fail(node, "daemon.min_interval", "at most daemon.max_interval")
        return daemon

    def content(self, pair: Pair | None) -> ContentConfig:
        values, keys = self.section(pair[1], "content", ContentConfig) if pair else ({}, {})
        rules = self.rules(keys["rules"][1], "content.rules") if "rules" in keys else []
        if "filters" in keys:
            values["filters"] = self.filters(keys["filters"][1], "content.filters")
        if values.get("builtin_rules", True):
            rules += builtin_rules()
        return ContentConfig(rules=tuple(rules), **values)

    def rules(self, node: Node, key: str) -> list[CleanupRule]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, key, "a list of rules (- hosts: [...] remove: [...])")
        out = []
        for index, item in enumerate(node.value):
            values, _ = self.section(item, f"{key}[{index}]", CleanupRule)
            values["hosts"] = tuple(h.lower() for h in values.get("hosts", ()))
            out.append(CleanupRule(**values))
        return out

    def filters(self, node: Node, key: str) -> tuple[FilterRule, ...]:
        if not isinstance(node, SequenceNode):
            raise self.fail(node, key, "a list of filters (- drop: {title: 广告})")
        out = []
        actions = tuple(action.value for action in FilterAction)
        for index, item in enumerate(node.value):
            where = f"{key}[{index}]"
            keys = self.mapping(item, where, (*actions, "feeds"))
            given = [a for a in actions if a in keys]
            if len(given) != 1:
                raise self.fail(item, where, "exactly one of keep: or drop:")
            action = given[0]
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
            out.append(FilterRule(FilterAction(action), feeds, tuple(fields), **ages))
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
                    url, feed_options = self.feed_options(fnode, key, rsshub, (group, site, name))
                    out.append(FeedConfig(group, site, name, url, **feed_options))
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
        found: dict[str, Any] = {}
        params: Node | None = None
        if isinstance(node, MappingNode):
            keys = self.mapping(node, key, FEED_KEYS)
            params = keys["rsshub"][1] if "rsshub" in keys else None
            if "url" not in keys:
                raise self.fail(node, f"{key}.url", "the feed's URL")
            if "fulltext" in keys:
                found["fulltext"] = self.boolean(keys["fulltext"][1], f"{key}.fulltext")
            if "home" in keys:
                found["home"] = self.string(keys["home"][1], f"{key}.home")
            if "max_new_items" in keys:
                found["max_new_items"] = int(
                    self.number(keys["max_new_items"][1], f"{key}.max_new_items", integer=True)
                )
            if "type" in keys:
                found["kind"] = self.string(keys["type"][1], f"{key}.type")
            node = keys["url"][1]
        raw = self.string(node, key)
        if raw.startswith("rsshub:"):
            found["route"] = read_route(self, raw, node, key, rsshub, path, params)
            return found["route"].url, found
        if params is not None:
            raise self.fail(params, f"{key}.rsshub", "an rsshub:/route feed (RSSHub's parameters)")
        base = rsshub.instances[0].base
        url = resolve_feed_url(raw, base, self.base, lambda why: self.fail(node, key, why))
        return url, found


def resolve_feed_url(raw: str, rsshub: str, base: Path, fail: Callable[[str], Exception]) -> str:
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
