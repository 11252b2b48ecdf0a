"""parse: every feed format we promise, and the sloppiness of real feeds."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import DATA
from rsspress import feedparser_adapter
from rsspress.parse import ParseError, parse_feed

UTC = dt.UTC
CST = dt.timezone(dt.timedelta(hours=8))


def test_rsshub_rss2_keeps_the_feeds_own_date_text() -> None:
    feed = parse_feed((DATA / "seed" / "zaker-channel-13.xml").read_bytes(), "http://x/")
    (item,) = feed.items
    assert item.title == "王腾：小米一直在寻求线下新模式，不依靠门店推销取胜"
    assert item.guid == item.link == "http://www.myzaker.com/article/61a330978e9f0917e41afd6d"
    assert item.date_text == "Sun, 28 Nov 2021 01:19:00 GMT"  # fastfeedparser wrapper works
    assert item.date == dt.datetime(2021, 11, 28, 1, 19, tzinfo=UTC)
    assert item.content_html.startswith("<p>IT 之家 11 月 28 日消息")
    assert feed.title == "ZAKER 科技频道"


@pytest.mark.parametrize("version", ["0.91", "0.92"])
def test_rss_09x(version: str) -> None:
    doc = f"""<?xml version="1.0"?><rss version="{version}"><channel><title>c</title>
      <link>http://example.test/</link><description>d</description>
      <item><title>旧格式</title><link>http://example.test/1</link>
      <description>&lt;p&gt;正文&lt;/p&gt;</description></item></channel></rss>"""
    (item,) = parse_feed(doc.encode(), "http://example.test/feed").items
    assert (item.title, item.link, item.content_html) == (
        "旧格式",
        "http://example.test/1",
        "<p>正文</p>",
    )
    assert item.date is None and item.date_text is None  # missing dates are None, not errors


def test_rss_10_rdf_with_dc_date() -> None:
    doc = """<?xml version="1.0"?>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
             xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="http://example.test/"><title>c</title><link>http://example.test/</link></channel>
      <item rdf:about="http://example.test/a"><title>RDF 条目</title><link>http://example.test/a</link>
        <description>摘要</description><dc:date>2026-11-18T16:00:00+08:00</dc:date></item>
    </rdf:RDF>"""
    (item,) = parse_feed(doc.encode(), "http://example.test/rdf").items
    assert item.title == "RDF 条目"
    assert item.date == dt.datetime(2026, 11, 18, 16, tzinfo=CST)
    assert item.date_text == "2026-11-18T16:00:00+08:00"


def test_atom_10_with_relative_links_and_offset() -> None:
    doc = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>少数派</title><link href="https://sspai.com/"/><id>x</id><updated>2026-11-20T09:30:00+08:00</updated>
      <entry><title type="html">A &amp;amp; B</title><link href="/post/1"/><id>tag:sspai,1</id>
        <published>2026-11-20T09:30:00+08:00</published><author><name>编辑</name></author>
        <category term="效率"/><content type="html">&lt;p&gt;hi&lt;/p&gt;</content></entry></feed>"""
    (item,) = parse_feed(doc.encode(), "https://rsshub.app/sspai/index").items
    assert item.link == "https://sspai.com/post/1"  # relative to the feed's own link
    assert item.guid == "tag:sspai,1"
    assert item.date == dt.datetime(2026, 11, 20, 9, 30, tzinfo=CST)
    assert item.author == "编辑" and item.categories == ("效率",)
    assert item.content_html == "<p>hi</p>"


@pytest.mark.parametrize("version", ["1", "1.1"])
def test_json_feed(version: str) -> None:
    doc = {
        "version": f"https://jsonfeed.org/version/{version}",
        "title": "掘金",
        "home_page_url": "https://juejin.cn/",
        "items": [
            {
                "id": "7300",
                "url": "/post/7300",
                "title": "JSON 条目",
                "content_html": "<p>x</p>",
                "date_published": "2026-11-21T10:00:00+08:00",
                "tags": ["Vue.js"],
                "image": "https://p3.example.test/cover.png",
            }
        ],
    }
    (item,) = parse_feed(json.dumps(doc).encode(), "https://rsshub.app/juejin").items
    assert (item.guid, item.title, item.content_html) == ("7300", "JSON 条目", "<p>x</p>")
    assert item.link == "https://juejin.cn/post/7300"
    assert item.date == dt.datetime(2026, 11, 21, 10, tzinfo=CST)
    assert item.categories == ("Vue.js",)


def _rss(title: str, declared: str) -> str:
    return (
        f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>c</title>'
        f"<item><title>{title}</title><guid>g</guid></item></channel></rss>"
    )


@pytest.mark.parametrize(
    ("declared", "actual"),
    [("gb2312", "utf-8"), ("iso-8859-1", "utf-8"), ("utf-8", "gbk"), ("gbk", "gbk")],
)
def test_wrong_declared_encodings(declared: str, actual: str) -> None:
    (item,) = parse_feed(_rss("王腾：小米", declared).encode(actual), "http://x/").items
    assert item.title == "王腾：小米"


def test_http_charset_is_tried_before_guessing() -> None:
    doc = _rss("Café", "utf-8").encode("cp1252")
    (item,) = parse_feed(doc, "http://x/", http_charset="cp1252").items
    assert item.title == "Café"


def test_html_entities_and_bare_ampersands_in_xml() -> None:
    doc = _rss("&nbsp;小米&mdash;Redmi &amp; POCO & 其他 &bogus;", "utf-8").encode()
    (item,) = parse_feed(doc, "http://x/").items
    assert item.title == "小米—Redmi & POCO & 其他 &bogus;"


def test_cdata_is_left_alone_by_the_entity_repair() -> None:
    doc = _rss("<![CDATA[a &nbsp; b & c]]>", "utf-8").encode()
    (item,) = parse_feed(doc, "http://x/").items
    assert item.title == "a &nbsp; b & c"


@pytest.mark.parametrize(
    "doc",
    [b"", b"   ", b"this is not xml at all", b"<html><body>Not found</body></html>",
     b'<?xml version="1.0"?>\n<<<< invalid >>>> </rss>', b'{"version": "https://jsonfeed.org/'],
)  # fmt: skip
def test_what_is_not_a_feed_is_a_parse_error(doc: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(doc, "http://x/")


def test_enclosure_and_media_images_are_collected() -> None:
    doc = """<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
      <channel><title>c</title><link>https://site.example/</link>
      <item><title>t</title><guid>1</guid>
        <enclosure url="/cover.jpg" type="image/jpeg" length="1"/>
        <enclosure url="https://site.example/a.mp3" type="audio/mpeg" length="1"/>
        <media:thumbnail url="https://cdn.example/thumb.jpg"/>
      </item></channel></rss>"""
    (item,) = parse_feed(doc.encode(), "https://rsshub.app/x").items
    assert item.image_urls == ("https://cdn.example/thumb.jpg", "https://site.example/cover.jpg")


def test_the_fast_path_gives_the_same_items_without_date_text() -> None:
    body = (DATA / "seed" / "zaker-channel-13.xml").read_bytes()
    (slow,) = parse_feed(body, "http://x/").items
    (fast,) = parse_feed(body, "http://x/", date_text=False).items
    assert fast.date_text is None and fast.date == slow.date
    assert (fast.guid, fast.link, fast.title, fast.content_html) == (
        slow.guid, slow.link, slow.title, slow.content_html,
    )  # fmt: skip
    (again,) = parse_feed(body, "http://x/").items  # the slow path is back for the next call
    assert again.date_text == "Sun, 28 Nov 2021 01:19:00 GMT"


def test_importing_the_parser_patches_nothing() -> None:
    """fastfeedparser is hooked by the first parse, explicitly, never by an import."""
    code = (
        "import fastfeedparser.main as m\n"
        "before = (m._parse_date, m._parse_xml_root, m._core)\n"
        "import rsspress.parse, rsspress.feedparser_adapter\n"
        "assert (m._parse_date, m._parse_xml_root, m._core) == before\n"
        "rsspress.parse.parse_feed(b'<rss><channel><item><title>t</title></item></channel></rss>', 'http://x/')\n"
        "assert m._parse_date is not before[0]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


RSS_DATED = b"""<rss version="2.0"><channel><title>t</title>
  <item><title>a</title><guid>a</guid><pubDate>Sun, 28 Nov 2021 01:19:00 GMT</pubDate></item>
</channel></rss>"""


@pytest.mark.skipif(
    feedparser_adapter._NATIVE_EXTRACTOR is None, reason="fastfeedparser without its extractor"
)
def test_the_native_extractor_is_a_parameter_of_each_call() -> None:
    def original(native: bool) -> str | None:
        (entry,) = feedparser_adapter.read(RSS_DATED, native=native).entries
        return getattr(entry["published"], "original", None)

    assert original(native=True) is None  # the extractor gives a bare ISO string
    assert original(native=False) == "Sun, 28 Nov 2021 01:19:00 GMT"
    assert original(native=True) is None  # no choice lingers from the call before
    # Calls on other threads choose for themselves, at the same time.
    with ThreadPoolExecutor(4) as pool:
        choices = [n % 2 == 0 for n in range(40)]
        got = list(pool.map(original, choices))
    assert got == [None if native else "Sun, 28 Nov 2021 01:19:00 GMT" for native in choices]
