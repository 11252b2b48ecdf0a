"""Cleanup rules per site or feed: pick the ones that apply, and apply them to a parsed body."""

from __future__ import annotations

import functools

from selectolax.lexbor import LexborHTMLParser

from rsspress.config import CleanupRule, FeedConfig
from rsspress.urls import url_host

NO_RULE = CleanupRule()


def host_matches(host: str | None, hosts: tuple[str, ...]) -> bool:
    """Is ``host`` one of ``hosts``, or a subdomain of one?"""
    host = (host or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def feed_in(feed: FeedConfig, paths: tuple[str, ...]) -> bool:
    """Is the feed at, or under, one of these "group", "group/site" or "group/site/feed"?"""
    path = "/".join(feed.categories)
    return any(path == p or path.startswith(p + "/") for p in paths)


def rule_applies(rule: CleanupRule, feed: FeedConfig, link_host: str | None) -> bool:
    """A rule naming no hosts and no feeds applies to every item; else to items linking to
    one of its hosts, and to the items of its feeds."""
    if not rule.hosts and not rule.feeds:
        return True
    return host_matches(link_host, rule.hosts) or feed_in(feed, rule.feeds)


def rule_for(rules: tuple[CleanupRule, ...], feed: FeedConfig, link: str | None) -> CleanupRule:
    """Every rule that matches the item, merged; the user's rules come first."""
    return _merged(rules, feed, url_host(link) if link else None)


@functools.lru_cache(maxsize=1024)
def _merged(rules: tuple[CleanupRule, ...], feed: FeedConfig, host: str | None) -> CleanupRule:
    matching = [rule for rule in rules if rule_applies(rule, feed, host)]
    if not matching:
        return NO_RULE
    return CleanupRule(
        name="+".join(rule.name for rule in matching if rule.name),
        remove=tuple(dict.fromkeys(s for rule in matching for s in rule.remove)),
        keep_only=next((rule.keep_only for rule in matching if rule.keep_only), None),
        lazy_attrs=tuple(dict.fromkeys(a for rule in matching for a in rule.lazy_attrs)),
        referer=next((rule.referer for rule in matching if rule.referer), None),
        keep_style=any(rule.keep_style for rule in matching),
        fulltext_selector=next(
            (rule.fulltext_selector for rule in matching if rule.fulltext_selector), None
        ),
    )


def apply_rule(tree: LexborHTMLParser, rule: CleanupRule) -> LexborHTMLParser:
    """Keep only the article (if the rule says where it is), then remove the junk."""
    body = tree.body
    if body is None:
        return tree
    if rule.keep_only:
        kept = [node.html or "" for node in body.css(rule.keep_only)]
        if kept:  # a selector that finds nothing keeps everything rather than nothing
            tree = LexborHTMLParser("<body>" + "".join(kept))
            body = tree.body
            assert body is not None
    if rule.remove:
        # One selector list, one walk of the tree: 6x faster than a query per selector.
        for node in body.css(", ".join(rule.remove)):
            node.decompose()
    return tree


def image_referer(rules: tuple[CleanupRule, ...], image_url: str) -> str | None:
    """The Referer an image's host demands (for an image proxy; browsers cannot send one)."""
    host = url_host(image_url)
    for rule in rules:
        if rule.referer and host_matches(host, rule.hosts):
            return rule.referer
    return None
