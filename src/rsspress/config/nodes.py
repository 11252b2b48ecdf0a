"""Read values out of the YAML node tree, each error naming file, line, key and expectation.

The YAML is walked as a node tree (not loaded into plain dicts) so that every error
can say where it is. :meth:`NodeReader.section` reads a mapping whose keys are a
dataclass's fields, each value as the field's type and metadata say.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import re
import types
import typing
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rsspress.config.schema import READ_AS, ReadAs
from rsspress.config_messages import did_you_mean

Keys = dict[str, tuple[Node, Node]]  # key text → (key node, value node)


class ConfigError(Exception):
    """A config file that cannot be used; the message says where and why."""

    def __init__(self, file: Path | str, line: int | None, key: str, expected: str) -> None:
        where = f"{file}:{line}" if line is not None else str(file)
        super().__init__(f"{where}: {key}: {expected}")
        self.file = str(file)
        self.line = line
        self.key = key
        self.expected = expected


@dataclasses.dataclass(frozen=True)
class Option:
    """One key of a section: its field's name, type (None removed) and how it is read."""

    name: str
    kind: Any  # the field's type without None: int, str, Path, tuple[str, ...], an enum ...
    how: ReadAs


def options(section: type[Any]) -> tuple[Option, ...]:
    """The keys of a section dataclass, in the order of its fields."""
    known = _OPTIONS.get(section)
    if known is None:
        hints = typing.get_type_hints(section)
        fields = dataclasses.fields(section)
        known = _OPTIONS[section] = tuple(_option(spec, hints[spec.name]) for spec in fields)
    return known


_OPTIONS: dict[type[Any], tuple[Option, ...]] = {}


def _option(spec: dataclasses.Field[Any], kind: Any) -> Option:
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # X | None: read an X
        (kind,) = (t for t in typing.get_args(kind) if t is not types.NoneType)
    return Option(spec.name, kind, spec.metadata.get(READ_AS, ReadAs()))


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


class NodeReader:
    """Values out of the nodes of one config file; relative paths are relative to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.base = path.resolve().parent
        self._constructor = SafeConstructor()

    def fail(self, node: Node | None, key: str, expected: str) -> ConfigError:
        line = node.start_mark.line + 1 if node is not None else None
        return ConfigError(self.path, line, key, expected)

    def mapping(self, node: Node, key: str, allowed: tuple[str, ...] | None = None) -> Keys:
        """Return {key text: (key node, value node)}; refuse duplicates and unknown keys."""
        if not isinstance(node, MappingNode):
            raise self.fail(node, key, "a mapping")
        out: Keys = {}
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

    def section(self, node: Node, key: str, section: type[Any]) -> tuple[dict[str, Any], Keys]:
        """The values of a mapping whose keys are ``section``'s fields (see :meth:`values`),
        and the keys found."""
        keys = self.section_keys(node, key, section)
        return self.values(keys, key, section), keys

    def section_keys(self, node: Node, key: str, section: type[Any]) -> Keys:
        """The keys of a mapping, each one of ``section``'s fields."""
        return self.mapping(node, key, tuple(option.name for option in options(section)))

    def values(self, keys: Keys, key: str, section: type[Any]) -> dict[str, Any]:
        """The values of the keys given, as their fields say; those marked ``own`` are left
        to the caller."""
        known = {option.name: option for option in options(section)}
        return {
            name: self.value(vnode, f"{key}.{name}", known[name])
            for name, (_, vnode) in keys.items()
            if not known[name].how.own
        }

    def value(self, node: Node, key: str, option: Option) -> Any:
        """One key's value, read as its field's type and metadata say."""
        how, kind = option.how, option.kind
        if how.off and self.scalar(node, key) in (None, False, ""):
            return None
        if how.duration:
            return self.duration(node, key).total_seconds()
        if how.secret:
            secret = self.secret(node, key)
            return secret.encode() if kind is bytes else secret
        if kind is bool:
            return self.boolean(node, key)
        if kind is int:
            return int(self.number(node, key, integer=True))
        if kind is float:
            return self.number(node, key)
        if kind is Path:
            return self.resolve_path(self.string(node, key))
        if isinstance(kind, type) and issubclass(kind, StrEnum):
            return kind(self.string(node, key, choices=tuple(member.value for member in kind)))
        if kind is str:
            text = self.string(node, key, choices=how.choices)
            if how.selector:
                self.check_selectors(node, key, (text,))
            return text
        if kind == tuple[str, ...]:
            texts = self.strings(node, key)
            if how.networks:
                try:
                    parse_networks(texts)
                except ValueError as exc:
                    raise self.fail(node, key, f"networks like {how.networks} ({exc})") from None
            if how.selector:
                self.check_selectors(node, key, texts)
            return texts
        raise TypeError(f"{key}: the loader reads no {kind} (mark the field own, and read it)")

    def check_selectors(self, node: Node, key: str, selectors: tuple[str, ...]) -> None:
        for selector in selectors:
            if not valid_selector(selector):
                raise self.fail(node, key, f"a CSS selector, got {selector!r}")

    def resolve_path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base / p

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
