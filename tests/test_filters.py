"""Filters: keep or drop by keyword, regex or age; a dropped item is remembered."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import posts_in, run_cli, write_config
from feeds import rss
from rsspress.config import ConfigError, FeedConfig, FilterRule, parse_config
from rsspress.content.filters import describe_filter, drop_reason, filter_applies
from rsspress.model import FilterAction
from rsspress.parse import FeedItem

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
FEED = FeedConfig("科技资讯", "IT之家", "最新", "http://x/")


def filters(yaml_text: str) -> tuple[FilterRule, ...]:
    text = "content:\n  filters:\n" + yaml_text + "feeds: {g: {s: {f: http://x/}}}\n"
    return parse_config(text, Path("/tmp/rsspress.yaml")).content.filters


def item(
    title: str = "小米发布新机", body: str = "<p>正文</p>", days_old: float = 1, **kw: object
) -> FeedItem:
    values: dict[str, object] = {
        "guid": "g", "link": "https://www.ithome.com/1", "title": title, "content_html": body,
        "date_text": None, "date": NOW - dt.timedelta(days=days_old), "author": "编辑",
        "categories": ("手机",),
    }  # fmt: skip
    values.update(kw)
    return FeedItem(**values)  # type: ignore[arg-type]


def test_drop_by_keyword_is_case_insensitive() -> None:
    rules = filters("    - drop: {title: [广告, sponsored]}\n")
    assert drop_reason(item("【广告】买它"), FEED, rules, NOW) is not None
    assert drop_reason(item("This is SPONSORED"), FEED, rules, NOW) is not None
    assert drop_reason(item("小米发布新机"), FEED, rules, NOW) is None


def test_drop_by_regex_on_content_text_not_markup() -> None:
    rules = filters("    - drop: {content: '/^\\s*本文为广告/'}\n")
    assert drop_reason(item(body="<p>本文为广告，请注意</p>"), FEED, rules, NOW) is not None
    assert drop_reason(item(body='<p class="本文为广告">正文</p>'), FEED, rules, NOW) is None


def test_keep_filters_drop_everything_else_in_their_scope() -> None:
    rules = filters("    - keep: {categories: 手机}\n      feeds: [科技资讯/IT之家]\n")
    assert drop_reason(item(), FEED, rules, NOW) is None
    assert drop_reason(item(categories=("电脑",)), FEED, rules, NOW) == "matches no keep filter"
    other = FeedConfig("编程", "掘金", "前端", "http://x/")
    assert drop_reason(item(categories=("电脑",)), other, rules, NOW) is None


def test_age_filters() -> None:
    rules = filters("    - drop: {older_than: 7d}\n")
    assert drop_reason(item(days_old=8), FEED, rules, NOW) is not None
    assert drop_reason(item(days_old=6), FEED, rules, NOW) is None
    assert drop_reason(item(date=None), FEED, rules, NOW) is None  # no date: not known to be old


def test_all_conditions_of_one_filter_must_hold() -> None:
    rules = filters("    - drop: {title: 小米, author: 小编}\n")
    assert drop_reason(item(author="编辑"), FEED, rules, NOW) is None
    assert drop_reason(item(author="小编"), FEED, rules, NOW) is not None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("    - drop: {title: '/[/'}\n", "content.filters[0].drop.title"),
        ("    - drop: {older_than: soon}\n", "content.filters[0].drop.older_than"),
        ("    - drop: {colour: red}\n", "content.filters[0].drop.colour"),
        ("    - {keep: {title: a}, drop: {title: b}}\n", "content.filters[0]"),
    ],
)
def test_bad_filters_are_config_errors(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        filters(text)
    assert caught.value.key == key


def test_a_dropped_item_is_remembered_and_never_posted_later(tmp_path: Path, state: str) -> None:
    (tmp_path / "feed.xml").write_bytes(rss("news", 3))
    feeds = "g:\n  s:\n    f: feed.xml\n"
    drop = "content:\n  filters:\n    - drop: {title: 第 1 条}\n"
    write_config(tmp_path, feeds, extra=drop, state=state)

    first = run_cli("run", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "2 posts written, 1 filtered out" in first.stdout
    assert len(posts_in(tmp_path)) == 2
    # Without the filter, the item is still known as dropped: no post appears.
    write_config(tmp_path, feeds, state=state)
    (tmp_path / "feed.xml").write_bytes(rss("news", 3) + b"\n")  # changed: fetched again
    again = run_cli("run", cwd=tmp_path)
    assert "0 posts written" in again.stdout
    assert len(posts_in(tmp_path)) == 2


@pytest.mark.parametrize(
    ("feeds", "applies"),
    [
        ((), True),  # no feeds: every feed
        (("科技资讯",), True),
        (("科技资讯/IT之家",), True),
        (("科技资讯/IT之家/最新",), True),
        (("科技资讯/IT之家/热门",), False),
        (("科技",), False),  # a prefix of a name is no place in the tree
        (("编程", "科技资讯"), True),  # any of them
    ],
)
def test_which_feeds_a_filter_applies_to(feeds: tuple[str, ...], applies: bool) -> None:
    assert filter_applies(FilterRule(FilterAction.DROP, feeds), FEED) is applies


@pytest.mark.parametrize(
    ("yaml_text", "described"),
    [
        ("    - drop: {title: [广告, 推广]}\n", "title~广告|推广"),
        ("    - drop: {title: '/^AD/', link: ad.example}\n", "title~^AD, link~ad.example"),
        ("    - drop: {older_than: 30d}\n", "older_than 30 days, 0:00:00"),
        (
            "    - keep: {categories: 手机, newer_than: 12h}\n",
            "categories~手机, newer_than 12:00:00",
        ),
    ],
)
def test_a_filter_describes_its_conditions(yaml_text: str, described: str) -> None:
    (rule,) = filters(yaml_text)
    assert describe_filter(rule) == described
