"""Damaged feeds never publish half an item, and every item comes exactly once across fetches.

Valid feeds are damaged the ways real downloads and servers damage them: cut at any byte,
markup broken at any byte, the text encoded otherwise than declared (or re-encoded with a
new declaration). A "run" is what the pipeline does with a document: parse it, then publish
the items whose keys are not known (rsspress.new_items.new_items) and remember their keys. For
each damaged document, a run on it and then a run on the undamaged one must publish every
item of the undamaged document exactly once, and every post must carry its item's full title
and body. A few cuts go through the real CLI too.
"""

from __future__ import annotations

import codecs
import random
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from conftest import DATA, posts_in, run_cli, state_location, write_config
from rsspress.item_keys import Remembered
from rsspress.new_items import new_items
from rsspress.parse import FeedItem, ParseError, parse_feed
from rsspress.store import Store

REALWORLD = DATA / "realworld"
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>少数派</title><link href="https://sspai.com/"/>
<id>https://rsshub.app/sspai/index</id><updated>2025-03-20T09:30:00+08:00</updated>
<entry><title>Mac 上的效率工具</title><link href="https://sspai.com/post/90001"/>
<id>https://sspai.com/post/90001</id><updated>2025-03-20T09:30:00+08:00</updated>
<content type="html">&lt;p&gt;每年年底我都会整理一次工具清单。&lt;/p&gt;</content></entry>
<entry><title type="html">Windows &amp;amp; Linux 双系统</title><link href="https://sspai.com/post/90002"/>
<id>https://sspai.com/post/90002</id><updated>2025-03-19T08:00:00+08:00</updated>
<content type="html"><![CDATA[<p>分区、引导与 <b>时间不同步</b> 的老问题。</p>]]></content></entry>
<entry><title>播客推荐：慢下来</title><link href="https://sspai.com/post/90003"/>
<id>https://sspai.com/post/90003</id><updated>2025-03-18T20:00:00+08:00</updated>
<summary>三档适合通勤听的中文播客。</summary></entry>
</feed>
""".encode()
FEEDS = {
    "rsshub-cdata": (REALWORLD / "truncated-full.xml").read_bytes(),
    "shared-link": (REALWORLD / "keys-shared-link.xml").read_bytes(),
    "podcast": (REALWORLD / "keys-podcast.xml").read_bytes(),
    "bot-guid": (REALWORLD / "guid-repeat.xml").read_bytes(),
    "atom": ATOM,
    "json": (REALWORLD / "keys-microblog.json").read_bytes(),
}
# Markup a parser sees as broken outside a CDATA section (inside one it is text: the
# document is another feed, not a damaged one).
BREAKS = (b"<", b"</item>", b"</entry>", b"<![CD", b"]]>", b"<b>", b"<title>", b"\x00")


@dataclass(frozen=True)
class Post:
    key: str
    title: str
    body: str


def run(document: bytes, known: dict[str, Remembered]) -> list[Post]:
    """What one fetch publishes: the new items of the document (none if it is not a feed)."""
    try:
        parsed = parse_feed(document, "http://feeds.example.test/feed")
    except ParseError:
        return []
    posts = []
    for key, item in new_items(parsed.items, known).items:
        known[key] = Remembered(item.title, item.date.isoformat() if item.date else None)
        posts.append(Post(key, item.title, item.content_html))
    return posts


def identity(item: FeedItem | Post) -> tuple[str, str]:
    return (item.title, item.body if isinstance(item, Post) else item.content_html)


def check(original: bytes, damaged: bytes) -> None:
    """Damaged, then whole: every whole item once, each post whole."""
    whole = parse_feed(original, "http://feeds.example.test/feed").items
    distinct = {k: i for k, i in new_items(whole, {}).items}
    known: dict[str, Remembered] = {}
    first = run(damaged, known)
    second = run(original, known)
    posts = first + second
    # Nothing half: every post is an item of the undamaged feed, title and body whole.
    assert {identity(p) for p in posts} <= {identity(i) for i in distinct.values()}
    # Every item exactly once, across the two fetches.
    assert sorted(identity(p) for p in posts) == sorted(identity(i) for i in distinct.values())
    assert len({p.key for p in posts}) == len(posts)


feeds = st.sampled_from(sorted(FEEDS))
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(name=feeds, data=st.data())
def test_a_cut_at_any_byte_publishes_nothing_half(name: str, data: st.DataObject) -> None:
    original = FEEDS[name]
    cut = data.draw(st.integers(min_value=0, max_value=len(original)), label="cut")
    check(original, original[:cut])


def outside_cdata(document: bytes, offset: int) -> bool:
    """Whether bytes put in at ``offset`` land outside every CDATA section and its markers:
    a broken "]]>" only moves where the section ends, into a well-formed other feed."""
    opened = document.rfind(b"<![CDATA[", 0, offset + len(b"<![CDATA["))
    if opened < 0 or offset <= opened:
        return True
    closed = document.find(b"]]>", opened)
    return closed >= 0 and closed + len(b"]]>") <= offset


def inside_tag(document: bytes, offset: int) -> bool:
    return document.rfind(b"<", 0, offset) > document.rfind(b">", 0, offset)


@PROPERTY
@given(name=st.sampled_from(sorted(n for n in FEEDS if n != "json")), data=st.data())
def test_broken_markup_at_any_byte_publishes_nothing_half(name: str, data: st.DataObject) -> None:
    original = FEEDS[name]
    offset = data.draw(st.integers(min_value=0, max_value=len(original) - 1), label="at")
    # Between characters, in place of an ASCII byte or put in: a broken UTF-8 sequence is
    # an encoding's damage (the encoding cases below).
    assume(not 0x80 <= original[offset] < 0xC0 and outside_cdata(original, offset))
    fragment = data.draw(st.sampled_from(BREAKS), label="fragment")
    # "]]>" is allowed in an attribute's value: there it makes another feed, not a broken one.
    assume(fragment != b"]]>" or not inside_tag(original, offset))
    # A character XML forbids is put in, never in place of one: it is removed, so a lost
    # character would go unseen (transfers cut documents; they do not flip bytes).
    replace = (
        original[offset] < 0x80
        and fragment != b"\x00"
        and data.draw(st.booleans(), label="replace a byte")
    )
    damaged = original[:offset] + fragment + original[offset + int(replace) :]
    check(original, damaged)


def reencode(document: bytes, codec: str, declared: str | None) -> bytes:
    text = document.decode("utf-8")
    if declared is not None:
        text = text.replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
        text = text.replace('encoding="utf-8"', f'encoding="{declared}"', 1)
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")
    return bom + text.encode(codec)


ENCODINGS = (
    ("utf-16-le", "UTF-16"),  # with a byte order mark
    ("utf-16-be", "UTF-16"),
    ("gb18030", "GB18030"),  # re-encoded with its declaration
    ("utf-8", "ISO-8859-1"),  # a wrong declaration: the bytes are UTF-8
    ("utf-8", "GB2312"),
)


@PROPERTY
@given(
    name=st.sampled_from(sorted(n for n in FEEDS if n != "json")),
    encoding=st.sampled_from(ENCODINGS),
    data=st.data(),
)
def test_another_encoding_and_a_cut_publish_nothing_half(
    name: str, encoding: tuple[str, str], data: st.DataObject
) -> None:
    codec, declared = encoding
    recoded = reencode(FEEDS[name], codec, declared)
    # Whole, the re-encoded feed reads as the original ...
    assert [identity(i) for i in parse_feed(recoded, "http://feeds.example.test/feed").items] == [
        identity(i) for i in parse_feed(FEEDS[name], "http://feeds.example.test/feed").items
    ]
    # ... and cut anywhere, nothing of it is published half.
    cut = data.draw(st.integers(min_value=0, max_value=len(recoded)), label="cut")
    check(FEEDS[name], recoded[:cut])


# A few cuts through the real CLI: the parse-level runs above are what it does, checked end to end.
CUT_SEED = 20250315


@pytest.mark.parametrize("nth", range(3))
def test_a_download_cut_at_a_random_byte_then_whole_posts_every_item_once(
    httpserver: HTTPServer, tmp_path: Path, state: str, nth: int
) -> None:
    original = FEEDS["rsshub-cdata"]
    cut = random.Random(CUT_SEED + nth).randrange(len(original) // 4, len(original))
    httpserver.expect_ordered_request("/sspai").respond_with_data(
        original[:cut], content_type="application/rss+xml"
    )
    httpserver.expect_ordered_request("/sspai").respond_with_data(
        original, content_type="application/rss+xml"
    )
    write_config(tmp_path, f"g:\n  s:\n    sspai: {httpserver.url_for('/sspai')}\n", state=state)

    first = run_cli("run", cwd=tmp_path)
    second = run_cli("run", "--force", cwd=tmp_path)

    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    whole = {i.guid: i for i in parse_feed(original, "x").items}
    with Store(state_location(tmp_path, state)) as store:
        records = store.items('["g", "s", "sspai"]')
    assert sorted(r.guid or "" for r in records) == sorted(g or "" for g in whole)
    for record in records:  # the state keeps each item as the whole feed has it
        assert (record.title, record.content) == identity(whole[record.guid or ""])
    assert len(posts_in(tmp_path)) == len(whole)
    for post in posts_in(tmp_path):
        text = post.read_text(encoding="utf-8")
        assert any(item.title in text for item in whole.values())
