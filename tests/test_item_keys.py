"""item_keys: a key per distinct item, stable across fetches, and every stored key still works."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest

from rsspress.item_keys import KnownItems, Remembered, base_key, keyed_items, qualified_base
from rsspress.parse import FeedItem

INDEX = "http://www.cgz.example.gov.cn/col/col1229/index.html"
SHOW = "https://podcast.example.fm/show/manbanpai"


def item(
    title: str = "t",
    *,
    guid: str | None = None,
    link: str | None = None,
    body: str = "",
    day: int | None = None,
    enclosure: str | None = None,
) -> FeedItem:
    """An item as parse_feed gives it: fastfeedparser's id is the link when there is no guid."""
    return FeedItem(
        guid=guid if guid is not None else link,
        link=link,
        title=title,
        content_html=body,
        date_text=None,
        date=dt.datetime(2025, 1, day, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        if day
        else None,
        enclosure_urls=(enclosure,) if enclosure else (),
    )


def keys(items: list[FeedItem], known: KnownItems | None = None) -> list[str]:
    return [k.key for k in keyed_items(items, known or {})]


def new_titles(items: list[FeedItem], known: KnownItems) -> list[str]:
    return [k.item.title for k in keyed_items(items, known) if not k.known]


def remember(items: list[FeedItem], known: KnownItems | None = None) -> dict[str, Remembered]:
    """The state after publishing every new item of a document."""
    out = dict(known or {})
    for keyed in keyed_items(items, out):
        if not keyed.known:
            date = keyed.item.date.isoformat() if keyed.item.date else None
            out[keyed.key] = Remembered(keyed.item.title, date)
    return out


@pytest.mark.parametrize(
    ("feed_item", "key"),
    [
        (FeedItem("g", "http://x/1", "t", "b", None, None), "guid:g"),
        (FeedItem(None, "http://x/1", "t", "b", None, None), "link:http://x/1"),
        (
            FeedItem(None, None, "t", "b", None, None),
            "hash:" + hashlib.sha256(b"t\x00b").hexdigest(),  # title, NUL, body
        ),
    ],
)
def test_the_base_key_is_every_earlier_releases_key(feed_item: FeedItem, key: str) -> None:
    assert base_key(feed_item) == key


@pytest.mark.parametrize(
    ("key", "base"),
    [
        ("guid#0123456789abcdef:http://x/1", "guid:http://x/1"),
        ("link#0123456789abcdef:http://x/1#frag", "link:http://x/1#frag"),
        ("hash#0123456789abcdef:ab", "hash:ab"),
        ("guid:http://x/1#0123456789abcdef:", None),  # a plain guid that looks odd
        ("guid#0123:x", None),
    ],
)
def test_a_qualified_key_names_its_base(key: str, base: str | None) -> None:
    assert qualified_base(key) == base


# Each case: a document's items, and which of them are one item (same number) and
# which keep their plain key (True).
CASES: dict[str, tuple[list[FeedItem], list[int], list[bool]]] = {
    "unique guids keep their plain keys": (
        [item("a", guid="g1", link="http://x/1"), item("b", guid="g2", link="http://x/2")],
        [0, 1],
        [True, True],
    ),
    "a news site linking every item to its index page": (
        [item(t, link=INDEX, day=d) for t, d in (("通知一", 10), ("通知二", 9), ("通知三", 8))],
        [0, 1, 2],
        [False, False, False],
    ),
    "the same item twice under one link: one item": (
        [item("通知一", link=INDEX, day=10, body="正文"), item("通知一", link=INDEX, day=10)],
        [0, 0],
        [True],
    ),
    "daily posts with one title, told apart by date": (
        [item("今日天气预报", link=INDEX, day=d, body=f"{d}日：晴") for d in (10, 9, 8)],
        [0, 1, 2],
        [False, False, False],
    ),
    "a podcast whose episodes link to the show, told apart by enclosure": (
        [item("听众来信", link=SHOW, enclosure=f"https://m.example.fm/{n}.mp3") for n in range(3)],
        [0, 1, 2],
        [False, False, False],
    ),
    "a bot's repeated guid on distinct alerts": (
        [item("【故障】官网", guid="m-17", day=10), item("【恢复】官网", guid="m-17", day=10)],
        [0, 1],
        [False, False],
    ),
    "a bot's repeated guid: the same alert on another day": (
        [
            item("【故障】官网", guid="m-17", day=10, body="HTTP 502，持续 3 分钟"),
            item("【故障】官网", guid="m-17", day=9, body="HTTP 504，持续 11 分钟"),
        ],
        [0, 1],
        [False, False],
    ),
    "a repeated guid that is one item: placeholder then complete": (
        [item("", guid="m-22", day=9), item("【故障】支付超时", guid="m-22", day=9, body="8.2 秒")],
        [0, 0],
        [True],
    ),
    "a repeated guid whose copies differ in body only (an edit)": (
        [item("标题", guid="g", body="第一版"), item("标题", guid="g", body="第二版，改过")],
        [0, 0],
        [True],
    ),
    "micro-blog posts with no title, one link, told apart by text": (
        [item("", link="https://weibo.example/u/1", body=f"第 {n} 条微博") for n in range(3)],
        [0, 1, 2],
        [False, False, False],
    ),
    "no guid, no link: identical text is one item": (
        [item("t", body="b"), item("t", body="b"), item("t", body="c")],
        [0, 0, 1],
        [True, True],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_items_sharing_a_base_are_told_apart(case: str) -> None:
    items, same, plain = CASES[case]
    keyed = keyed_items(items, {})
    distinct = sorted(set(same), key=same.index)
    assert len(keyed) == len(distinct)
    assert len({k.key for k in keyed}) == len(keyed)
    assert [":" in k.key and "#" not in k.key.partition(":")[0] for k in keyed] == plain
    # Each distinct item is published with its most complete copy.
    for keyed_item, number in zip(keyed, distinct, strict=True):
        copies = [i for i, n in zip(items, same, strict=True) if n == number]
        best = max(copies, key=lambda i: (bool(i.title), bool(i.content_html), len(i.content_html)))
        assert keyed_item.item is best


def test_keys_do_not_change_with_the_fetch() -> None:
    items = [item(t, link=INDEX, day=d) for t, d in (("通知一", 10), ("通知二", 9), ("通知三", 8))]
    assert keys(items) == keys(list(items)) == keys([*items, items[0]])


@pytest.mark.parametrize(
    ("first", "later", "new"),
    [
        # A sibling left the feed: the one left alone is still known.
        (
            [item("通知一", link=INDEX, day=10), item("通知二", link=INDEX, day=9)],
            [item("通知一", link=INDEX, day=10)],
            [],
        ),
        # A base once shared stays qualified: a new item alone on it is new.
        (
            [item("通知一", link=INDEX, day=10), item("通知二", link=INDEX, day=9)],
            [item("通知三", link=INDEX, day=11)],
            ["通知三"],
        ),
        # Daily posts told apart by date: one leaves, one comes.
        (
            [item("今日天气", link=INDEX, day=d, body=f"{d}日") for d in (10, 9)],
            [item("今日天气", link=INDEX, day=d, body=f"{d}日") for d in (11, 10)],
            ["今日天气"],
        ),
        # The site stamps every item with the time the feed was generated: the date
        # changes at each fetch, and keys do not depend on it.
        (
            [item("通知一", link=INDEX, day=10), item("通知二", link=INDEX, day=10)],
            [item("通知一", link=INDEX, day=11), item("通知二", link=INDEX, day=11)],
            [],
        ),
        (
            [item("今日天气", link=INDEX, day=10, body=f"第 {n} 段") for n in (1, 2)],
            [item("今日天气", link=INDEX, day=11, body=f"第 {n} 段") for n in (1, 2)],
            [],
        ),
        # A known episode and a new one with the same title.
        (
            [item("听众来信", link=SHOW, enclosure="https://m.example.fm/1.mp3")],
            [
                item("听众来信", link=SHOW, enclosure=f"https://m.example.fm/{n}.mp3")
                for n in (2, 1)
            ],
            ["听众来信"],
        ),
    ],
)
def test_known_items_stay_known_when_their_siblings_change(
    first: list[FeedItem], later: list[FeedItem], new: list[str]
) -> None:
    assert new_titles(later, remember(first)) == new


def test_an_earlier_releases_plain_key_keeps_its_item_and_frees_its_siblings() -> None:
    """The release published the first of 99 items sharing a link under ``guid:<link>``."""
    siblings = [item(f"第 {n} 条通知", link=INDEX, day=1 + n % 28) for n in range(99)]
    published = siblings[0]
    assert published.date is not None
    state = {base_key(published): Remembered(published.title, published.date.isoformat())}
    fresh = [k.item for k in keyed_items(siblings, state) if not k.known]
    assert fresh == siblings[1:]
    # ... and again on the next fetch, after the 98 are recorded under qualified keys,
    # when new items came first.
    state = remember(siblings, state)
    assert new_titles([item("新通知", link=INDEX, day=28), *siblings], state) == ["新通知"]
    # When it is left alone in the feed, its plain key is its own.
    assert new_titles([published], state) == []


def test_a_stored_plain_key_marks_one_sibling_only_when_nothing_tells_which() -> None:
    """The state remembers an untitled, undated item: one of the siblings is it."""
    siblings = [item("", link=INDEX, body=f"第 {n} 条") for n in range(3)]
    state = {base_key(siblings[0]): Remembered("", None)}
    assert len([k for k in keyed_items(siblings, state) if not k.known]) == 2


def test_many_items_on_one_link_are_keyed_in_linear_time() -> None:
    started = time.perf_counter()
    items = [item(f"通知 {n}", link=INDEX, body=f"<p>正文 {n}</p>") for n in range(20_000)]
    keyed = keyed_items(items, {})
    assert len({k.key for k in keyed}) == 20_000
    # Untitled, one link, bodies alike in their first 200 characters: the worst case
    # for the lookups of copies.
    alike = [item("", link=INDEX, body="x" * 200 + f"{n:05d}" * 20) for n in range(5_000)]
    assert len(keyed_items(alike, {})) == 5_000
    assert time.perf_counter() - started < 10
