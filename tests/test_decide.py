"""decide: an item is known by guid, else link, else its text; known items never return."""

from __future__ import annotations

from rsspress.decide import item_key, new_items, placeholder_number, post_id
from rsspress.parse import FeedItem


def item(
    guid: str | None = None, link: str | None = None, title: str = "t", body: str = "b"
) -> FeedItem:
    return FeedItem(guid=guid, link=link, title=title, content_html=body, date_text=None, date=None)


def test_identity_prefers_guid_then_link_then_text() -> None:
    assert item_key(item("g", "l")) == "guid:g"
    assert item_key(item(None, "l")) == "link:l"
    assert item_key(item()) == item_key(item()) != item_key(item(body="other"))
    assert item_key(item()).startswith("hash:")


def test_a_known_item_is_not_new_even_when_it_changed() -> None:
    known = {item_key(item("g1"))}
    fresh = new_items([item("g1", title="新标题", body="改过"), item("g2")], known)
    assert [key for key, _ in fresh] == ["guid:g2"]


def test_duplicates_within_one_feed_count_once() -> None:
    fresh = new_items([item("g"), item("g", title="again"), item(None, "l")], set())
    assert [key for key, _ in fresh] == ["guid:g", "link:l"]


def test_post_ids_are_stable_and_per_feed() -> None:
    assert post_id("feed", "guid:g") == post_id("feed", "guid:g") != post_id("other", "guid:g")
    assert 0 <= placeholder_number(post_id("feed", "guid:g")) < 10000
