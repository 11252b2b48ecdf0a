"""The config's ``rsshub:`` section, and the ``rsshub:`` options of a feed.

```yaml
rsshub:
  instances: [https://rsshub.example.com, https://rsshub.app]   # or one URL, as before
  key: ${RSSHUB_KEY}          # optional; else $RSSPRESS_RSSHUB_KEY
  params: {limit: 50}         # RSSHub's parameters for every route ...
  feeds:                      # ... for a group, group/site or group/site/feed
    科技资讯: {mode: fulltext}
feeds:
  科技资讯:
    cnBeta:
      最新: {url: rsshub:/cnbeta, rsshub: {limit: 20}}   # ... and for one feed: it wins
```

A parameter set to ``null`` (or ``true`` for ``sorted`` and ``filter_case_sensitive``,
RSSHub's defaults) takes a parameter set for a wider part of the tree away.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rsspress.rsshub.routes import CODE_PARAM, PARAM_ORDER, Instance, Route
from rsspress.urls import redact_url

DEFAULT_INSTANCE = "https://rsshub.app"
KEY_ENV = "RSSPRESS_RSSHUB_KEY"

INTEGER_PARAMS = {"limit": 1, "brief": 100}  # the least value RSSHub takes
BOOLEAN_PARAMS = ("sorted", "filter_case_sensitive")  # RSSHub reads only "false"
CHOICE_PARAMS: dict[str, tuple[str, ...]] = {
    "mode": ("fulltext",),
    "format": ("rss", "atom", "json"),  # what rsspress reads (not RSSHub's ums)
    # OpenCC's conversions, as simplecc (RSSHub's converter) names them
    "opencc": ("s2t", "t2s", "s2tw", "tw2s", "s2hk", "hk2s", "s2twp", "tw2sp", "t2tw",
               "tw2t", "t2hk", "hk2t", "t2jp", "jp2t"),
}  # fmt: skip
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

Params = dict[str, str | None]  # None: take a wider setting away


class ConfigReader(Protocol):
    """What this module needs of :class:`rsspress.config._Reader`."""

    def fail(self, node: Node | None, key: str, expected: str) -> Exception: ...

    def mapping(
        self, node: Node, key: str, allowed: tuple[str, ...] | None = None
    ) -> dict[str, tuple[Node, Node]]: ...

    def scalar(self, node: Node, key: str) -> Any: ...

    def string(self, node: Node, key: str, *, choices: tuple[str, ...] = ()) -> str: ...

    def secret(self, node: Node, key: str) -> str: ...


@dataclass(frozen=True)
class RsshubConfig:
    instances: tuple[Instance, ...] = (Instance(DEFAULT_INSTANCE),)
    params: tuple[tuple[str, str | None], ...] = ()  # for every route
    # by "group", "group/site" or "group/site/feed": the most specific wins
    feeds: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = field(default=())

    def params_for(self, path: tuple[str, str, str], own: Params) -> tuple[tuple[str, str], ...]:
        """A feed's RSSHub parameters: every route's, its group's, site's, feed's, its own."""
        by_feeds = dict(self.feeds)
        merged: Params = dict(self.params)
        for depth in (1, 2, 3):
            merged.update(by_feeds.get("/".join(path[:depth]), ()))
        merged.update(own)
        return tuple((name, v) for name in PARAM_ORDER if (v := merged.get(name)) is not None)


def param_value(name: str, value: object) -> str | None:
    """One RSSHub parameter as its URL spells it; None takes it away. ValueError says why."""
    if name not in PARAM_ORDER:
        raise ValueError(f"one of RSSHub's parameters: {', '.join(PARAM_ORDER)}")
    if value is None:
        return None
    if name in INTEGER_PARAMS:
        least = INTEGER_PARAMS[name]
        number = _integer(value)
        if number is None or number < least:
            raise ValueError(f"a whole number of at least {least}, got {value!r}")
        return str(number)
    if name in BOOLEAN_PARAMS:
        if isinstance(value, bool):
            flag = value
        elif value in ("true", "false"):
            flag = value == "true"
        else:
            raise ValueError(f"true or false, got {value!r}")
        return None if flag else "false"  # true is RSSHub's default: no parameter
    if name == "filter_time":
        seconds = _integer(value)
        if seconds is None and isinstance(value, str):
            match = _DURATION.fullmatch(value.strip())
            seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)] if match else None
        if seconds is None or seconds <= 0:
            raise ValueError(f"seconds, or a duration such as 12h or 7d, got {value!r}")
        return str(seconds)
    if not isinstance(value, str) or not value:
        raise ValueError(f"a non-empty string, got {value!r}")
    choices = CHOICE_PARAMS.get(name)
    if choices and value not in choices:
        raise ValueError(f"one of: {', '.join(choices)}, got {value!r}")
    return value


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def params_from_query(query: str) -> dict[str, str | int | bool]:
    """``limit=50&mode=fulltext`` (an exported OPML's) as a feed's ``rsshub:`` options.

    ValueError when a parameter is unknown or its value is not one RSSHub takes.
    """
    out: dict[str, str | int | bool] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        try:
            rendered = param_value(name, value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        if rendered is None:
            continue
        if name in INTEGER_PARAMS or name == "filter_time":
            out[name] = int(rendered)
        elif name in BOOLEAN_PARAMS:
            out[name] = False
        else:
            out[name] = rendered
    return out


def route_problem(written: str) -> str | None:
    """Why ``rsshub:/…`` (as written) is no route; None when it is one."""
    path = written.removeprefix("rsshub:")
    if not path.startswith("/") or path.startswith("//"):
        return "an RSSHub route like rsshub:/zaker/channel/13"
    if "#" in path or any(ord(c) < 0x21 or c == "\x7f" for c in path):
        return "an RSSHub route without spaces, control characters or #"
    return None


def expand_env(value: str, env: Mapping[str, str]) -> str:
    """``${NAME}`` replaced by the environment's NAME; KeyError(NAME) when it is unset or empty."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if not env.get(name):
            raise KeyError(name)
        return env[name]

    return _ENV_REFERENCE.sub(one, value)


# -- reading the YAML ------------------------------------------------------------------


def read_rsshub(
    reader: ConfigReader, node: Node | None, env: Mapping[str, str] = os.environ
) -> RsshubConfig:
    """The ``rsshub:`` section: one URL (as before), or a mapping of instances, key, params."""
    env_key = env.get(KEY_ENV) or None
    if node is None:
        return RsshubConfig(instances=(Instance(DEFAULT_INSTANCE, env_key),))
    if not isinstance(node, MappingNode):
        return RsshubConfig(instances=(_instance(reader, node, "rsshub", env_key),))
    keys = reader.mapping(node, "rsshub", ("instances", "key", "params", "feeds"))
    key = env_key
    if "key" in keys:
        key = _key(reader, keys["key"][1], "rsshub.key", env)
    if "instances" not in keys:
        instances: tuple[Instance, ...] = (Instance(DEFAULT_INSTANCE, key),)
    else:
        instances = _instances(reader, keys["instances"][1], key, env)
    params: Params = {}
    if "params" in keys:
        params = read_params(reader, keys["params"][1], "rsshub.params")
    by_feeds: list[tuple[str, tuple[tuple[str, str | None], ...]]] = []
    if "feeds" in keys:
        for path, (_, pnode) in reader.mapping(keys["feeds"][1], "rsshub.feeds").items():
            own = read_params(reader, pnode, f"rsshub.feeds.{path}")
            by_feeds.append((path, tuple(own.items())))
    return RsshubConfig(instances, tuple(params.items()), tuple(by_feeds))


def _instances(
    reader: ConfigReader, node: Node, key: str | None, env: Mapping[str, str]
) -> tuple[Instance, ...]:
    items = node.value if isinstance(node, SequenceNode) else [node]
    if not items:
        raise reader.fail(node, "rsshub.instances", "at least one RSSHub URL")
    out: list[Instance] = []
    for index, item in enumerate(items):
        where = (
            f"rsshub.instances[{index}]" if isinstance(node, SequenceNode) else "rsshub.instances"
        )
        if isinstance(item, MappingNode):
            keys = reader.mapping(item, where, ("url", "key"))
            if "url" not in keys:
                raise reader.fail(item, f"{where}.url", "the instance's URL")
            own = key
            if "key" in keys:
                knode = keys["key"][1]
                raw = reader.scalar(knode, f"{where}.key")
                own = None if raw in (None, False) else _key(reader, knode, f"{where}.key", env)
            instance = _instance(reader, keys["url"][1], f"{where}.url", own)
        else:
            instance = _instance(reader, item, where, key)
        if any(other.id == instance.id for other in out):
            raise reader.fail(item, where, f"each instance once ({instance.label} is listed twice)")
        out.append(instance)
    return tuple(out)


def _instance(reader: ConfigReader, node: Node, where: str, key: str | None) -> Instance:
    url = reader.string(node, where)
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an invalid port or host
        valid = False
    if not valid:
        raise reader.fail(node, where, f"an http(s) URL of an RSSHub, got {redact_url(url)!r}")
    if parts.query or parts.fragment:
        raise reader.fail(
            node, where, f"an RSSHub's base URL, without ?query or #, got {redact_url(url)!r}"
        )
    return Instance(url.rstrip("/"), key)


def _key(reader: ConfigReader, node: Node, where: str, env: Mapping[str, str]) -> str:
    raw = reader.secret(node, where)
    try:
        return expand_env(raw, env)
    except KeyError as missing:
        raise reader.fail(
            node, where, f"the environment variable {missing.args[0]} set (it is unset or empty)"
        ) from None


def read_params(reader: ConfigReader, node: Node, where: str) -> Params:
    """A mapping of RSSHub's parameters, each checked."""
    out: Params = {}
    for name, (_, vnode) in reader.mapping(node, where, PARAM_ORDER).items():
        if not isinstance(vnode, ScalarNode):
            raise reader.fail(vnode, f"{where}.{name}", "a single value")
        try:
            out[name] = param_value(name, reader.scalar(vnode, f"{where}.{name}"))
        except ValueError as exc:
            raise reader.fail(vnode, f"{where}.{name}", str(exc)) from None
    return out


def read_route(
    reader: ConfigReader,
    written: str,
    node: Node,
    where: str,
    hub: RsshubConfig,
    path: tuple[str, str, str],
    own: Node | None,
) -> Route:
    """An ``rsshub:/route`` feed, with the parameters that apply to it."""
    problem = route_problem(written)
    if problem is not None:
        raise reader.fail(node, where, f"{problem}, got {redact_url(written)!r}")
    route, _, query = written.removeprefix("rsshub:").partition("?")
    own_params = read_params(reader, own, f"{where}.rsshub") if own is not None else {}
    params = hub.params_for(path, own_params)
    in_route = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
    twice = sorted(in_route & {name for name, _ in params})
    if twice:
        raise reader.fail(
            node, where, f"each parameter once ({', '.join(twice)} is in the route and in rsshub:)"
        )
    if CODE_PARAM in in_route and any(i.key for i in hub.instances):
        raise reader.fail(
            node, where, "no ?code= in the route: rsspress sends the access code for rsshub.key"
        )
    return Route(route, query, params, hub.instances)
