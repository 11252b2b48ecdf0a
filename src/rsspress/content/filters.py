"""Filters: keep or drop items by keyword or regex on their fields, or by age. Pure."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rsspress.config import FeedConfig, FilterRule, Pattern
from rsspress.content.budget import parse_body
from rsspress.content.rules import feed_in
from rsspress.model import FilterAction
from rsspress.parse import FeedItem


@dataclass(frozen=True)
class _Fields:
    item: FeedItem
    _text: list[str]

    def get(self, name: str) -> list[str]:
        item = self.item
        if name == "title":
            return [item.title]
        if name == "author":
            return [item.author or ""]
        if name == "link":
            return [item.link or ""]
        if name == "categories":
            return list(item.categories)
        if name == "content":
            if not self._text:  # the text, not the markup: parsed once, when asked
                body = parse_body(item.content_html).body
                self._text.append(body.text(separator=" ") if body is not None else "")
            return self._text
        raise KeyError(name)


def matches(pattern: Pattern, values: list[str]) -> bool:
    if pattern.regex:
        compiled = re.compile(pattern.text)
        return any(compiled.search(v) for v in values)
    needle = pattern.text.casefold()
    return any(needle in v.casefold() for v in values)


def filter_applies(rule: FilterRule, feed: FeedConfig) -> bool:
    """A filter naming no feeds applies to every feed; else to those under its feeds."""
    return not rule.feeds or feed_in(feed, rule.feeds)


def describe_filter(rule: FilterRule) -> str:
    """The filter's conditions, as a dropped item's reason shows them."""
    parts = [f"{name}~{'|'.join(p.text for p in patterns)}" for name, patterns in rule.fields]
    if rule.older_than is not None:
        parts.append(f"older_than {rule.older_than}")
    if rule.newer_than is not None:
        parts.append(f"newer_than {rule.newer_than}")
    return ", ".join(parts)


def rule_matches(rule: FilterRule, fields: _Fields, now: dt.datetime) -> bool:
    """All of a rule's conditions hold (within one field, any of its patterns)."""
    for name, patterns in rule.fields:
        if not any(matches(p, fields.get(name)) for p in patterns):
            return False
    date = fields.item.date
    if rule.older_than is not None and (date is None or now - date <= rule.older_than):
        return False
    return not (rule.newer_than is not None and (date is None or now - date > rule.newer_than))


def drop_reason(
    item: FeedItem, feed: FeedConfig, rules: tuple[FilterRule, ...], now: dt.datetime
) -> str | None:
    """Why the item is dropped, or None to keep it.

    Any matching drop rule drops it; where keep rules apply, an item matching
    none of them is dropped too.
    """
    applicable = [rule for rule in rules if filter_applies(rule, feed)]
    if not applicable:
        return None
    fields = _Fields(item, [])
    keeps = [rule for rule in applicable if rule.action == FilterAction.KEEP]
    for rule in applicable:
        if rule.action == FilterAction.DROP and rule_matches(rule, fields, now):
            return f"drop filter {describe_filter(rule)}"
    if keeps and not any(rule_matches(rule, fields, now) for rule in keeps):
        return "matches no keep filter"
    return None
