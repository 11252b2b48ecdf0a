"""Titles: the feed's (text or HTML), Atom xhtml ones, made from the text, and in front matter."""

from __future__ import annotations

import datetime as dt

import pytest

from rsspress.atomtext import xhtml_titles_as_html
from rsspress.content.titles import readable_title, title_from_text
from rsspress.parse import parse_feed
from rsspress.publish.post import front_matter_title, plain_title

WHEN = dt.datetime(2025, 2, 10, 12, 0, tzinfo=dt.UTC)

# (the title as the feed's XML gives it, what a reader sees)
FEED_TITLES = [
    ("Why &lt;b&gt; is not &lt;strong&gt;", "Why <b> is not <strong>"),  # double-escaped
    ("<b>Breaking:</b> news", "Breaking: news"),  # HTML: a closing tag
    ("Tom &amp; Jerry", "Tom & Jerry"),  # HTML: an entity
    ("Option<T> and Vec<U>", "Option<T> and Vec<U>"),  # text: neither
    ("AT&T and 3 < 4 > 2", "AT&T and 3 < 4 > 2"),
    ("《三体》<第二部>", "《三体》<第二部>"),
    ("  王腾：小米  ", "王腾：小米"),
]


@pytest.mark.parametrize(("title", "shown"), FEED_TITLES)
def test_feed_titles_show_as_text(title: str, shown: str) -> None:
    assert plain_title(readable_title(title, "<p>body</p>", "feed", WHEN)) == shown


# (the body of an untitled item, the title made from it)
UNTITLED = [
    ("<p>Good morning, fediverse ☀️</p>", "Good morning, fediverse ☀️"),
    ('<p>Just shipped version 2.0 of our little feed reader! It now handles Atom, RSS and JSON'
     ' Feed, and it is much faster. <a href="https://x.example/t">#<span>oss</span></a></p>',
     "Just shipped version 2.0 of our little feed reader!"),  # a sentence's end in its second half
    ("<p>Antidisestablishmentarianism is a long word that appears here in a sentence without"
     " any punctuation for a while yes</p>",
     "Antidisestablishmentarianism is a long word that appears here in a sentence…"),  # a word
    ("<p>今天在北京参加了开源大会，见到了很多老朋友。下午的分享主题是如何用 RSS 重新掌控自己的信息流</p>",
     "今天在北京参加了开源大会，见到了很多老朋友。"),
    ("<p>据气象台预报明天北方大部地区将出现降温请注意保暖另外周末还有雨而且下周继续降温</p>",
     "据气象台预报明天北方大部地区将出现降温请注意保暖另外周末还有…"),  # 30 CJK characters
    ("<p>First paragraph</p><p>second<br>line</p>", "First paragraph second line"),
    ('<p><a href="https://example.com/a/very/long/link">https://example.com/a/very/long/link</a></p>',
     "https://example.com/a/very/long/link"),  # nothing but a link: the link
    ('<p><img src="https://x.example/cat.jpg" alt="A cat asleep on a keyboard"></p>',
     "A cat asleep on a keyboard"),
    ("<script>alert(1)</script><style>p{}</style><p>hello <b>world</b></p>", "hello world"),
    ("", "feed 2025-02-10 12:00"),  # no text at all: the feed's name and the date
    ('<p><img src="https://x.example/cat.jpg"></p>', "feed 2025-02-10 12:00"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), UNTITLED)
def test_untitled_items_get_a_title_from_their_text(body: str, expected: str) -> None:
    assert plain_title(readable_title("", body, "feed", WHEN)) == expected


@pytest.mark.parametrize(
    "text", ["word " * 100, "字" * 500, "a" * 300, "a" + "e\u0301" * 100, "Hi. " * 100, "，" * 200]
)
def test_made_titles_fit_80_columns(text: str) -> None:
    title = title_from_text(text)
    columns = sum(8 / 3 if "\u3000" <= c <= "\uffef" or c >= "\u4e00" else 1 for c in title)
    assert len(title) > 0 and columns <= 81  # 80, and the ellipsis
    if text.startswith("ae\u0301"):
        assert title[-2:] == "\u0301…"  # an accent is never cut off its letter


# (the title as plain text, as post front matter carries it)
FRONT_MATTER = [
    ("Why <b> is not <strong>", "Why ＜b＞ is not ＜strong＞"),
    ("<img src=x onerror=alert(1)>", "＜img src=x onerror=alert(1)＞"),
    ("Option<T>", "Option＜T＞"),
    ("a < b > c", "a < b > c"),  # no tag can start here: the real signs stay
    ("I <3 RSS", "I <3 RSS"),
    ("- > @ * & ! |", "- > @ * & ! |"),
]


@pytest.mark.parametrize(("text", "written"), FRONT_MATTER)
def test_front_matter_titles_hold_no_markup(text: str, written: str) -> None:
    raw = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert front_matter_title(raw) == written


XHTML = [
    (b'<feed><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>b</b> &amp; &lt;c&gt;</div></title>',
     b'<feed><title type="html">A &lt;b&gt;b&lt;/b&gt; &amp;amp; &amp;lt;c&amp;gt;</title>'),
    (b"<atom:feed><atom:title type='xhtml'>\n <x:div xmlns:x='http://www.w3.org/1999/xhtml'>Hi</x:div>\n</atom:title>",
     b'<atom:feed><atom:title type="html">Hi</atom:title>'),
    (b'<feed><title type="html">&lt;b&gt;x&lt;/b&gt;</title> xhtml', b'<feed><title type="html">&lt;b&gt;x&lt;/b&gt;</title> xhtml'),
    (b'<feed><title type="xhtml"><div>never closed', b'<feed><title type="xhtml"><div>never closed'),
    (b'<rss><title type="xhtml"><div>RSS has none</div></title>', b'<rss><title type="xhtml"><div>RSS has none</div></title>'),
]  # fmt: skip


@pytest.mark.parametrize(("document", "rewritten"), XHTML)
def test_xhtml_titles_become_html_ones(document: bytes, rewritten: bytes) -> None:
    assert xhtml_titles_as_html(document) == rewritten


def test_atom_xhtml_titles_are_read() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>t</title><id>x</id><entry><id>1</id>
      <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Using <code>&lt;template&gt;</code>
      &amp;&nbsp;<em>more</em></div></title></entry></feed>"""
    for own_text in (True, False):
        (item,) = parse_feed(body, "https://x.example/", date_text=own_text).items
        assert plain_title(item.title) == "Using <template> &\xa0more"
