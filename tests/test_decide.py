"""decide: known items never return; each item once; at most the cap, newest first."""

from __future__ import annotations

import datetime as dt

import pytest

from rsspress.content import placeholder_number
from rsspress.item_keys import Remembered, base_key
from rsspress.new_items import LeftOut, new_items, post_id
from rsspress.parse import FeedItem


def item(
    guid: str | None = None,
    link: str | None = None,
    title: str = "t",
    body: str = "b",
    day: int | None = None,
) -> FeedItem:
    date = dt.datetime(2024, 5, day, tzinfo=dt.UTC) if day else None
    return FeedItem(guid=guid, link=link, title=title, content_html=body, date_text=None, date=date)


def test_a_known_item_is_not_new_even_when_it_changed() -> None:
    known = {base_key(item("g1")): Remembered("t", None)}
    fresh = new_items([item("g1", title="新标题", body="改过"), item("g2")], known)
    assert [key for key, _ in fresh.items] == ["guid:g2"]
    assert fresh.deferred == 0


def test_copies_of_one_item_count_once() -> None:
    fresh = new_items([item("g"), item("g", body=""), item(None, "l")], {})
    assert [key for key, _ in fresh.items] == ["guid:g", "link:l"]


@pytest.mark.parametrize(
    ("days", "limit", "published_days", "deferred"),
    [
        ([1, 2, 3], None, [1, 2, 3], 0),  # no cap
        ([1, 2, 3], 3, [1, 2, 3], 0),  # exactly the cap
        ([1, 5, 3, 4, 2], 2, [5, 4], 3),  # newest first, published in document order
        ([3, None, 1], 2, [3, None], 1),  # undated items are dated now: the newest
    ],
)
def test_the_cap_keeps_the_newest_items_in_document_order(
    days: list[int | None], limit: int | None, published_days: list[int | None], deferred: int
) -> None:
    items = [item(f"g{n}", day=day) for n, day in enumerate(days)]
    fresh = new_items(items, {}, limit)
    assert [i.date.day if i.date else None for _, i in fresh.items] == published_days
    assert fresh.deferred == deferred


def test_left_out_is_false_only_when_nothing_waits() -> None:
    assert not LeftOut()
    assert LeftOut(damage="line 1, column 2: x") and LeftOut(held_back=1) and LeftOut(deferred=1)


def test_post_ids_are_stable_and_per_feed() -> None:
    assert post_id("feed", "guid:g") == post_id("feed", "guid:g") != post_id("other", "guid:g")
    assert 0 <= placeholder_number(post_id("feed", "guid:g")) < 10000
