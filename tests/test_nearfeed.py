"""Near-feeds: a feed inside an HTML page, an RSS without its channel; feedparser reads both."""

from __future__ import annotations

import time

import pytest

from rsspress.nearfeed import feed_meant, root_name
from rsspress.parse import ParseError, parse_feed

ATOM = (
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id>'
    "<entry><id>1</id><title>A &amp; B</title></entry><entry><id>2</id><title>C</title></entry></feed>"
)
RSS_ITEMS = (
    "<item><guid>1</guid><title>A &amp; B</title></item><item><guid>2</guid><title>C</title></item>"
)

NEAR = [
    ("Atom raw in <pre>", f'<!DOCTYPE html><html><body><pre><?xml version="1.0"?>\n{ATOM}</pre></body></html>'),
    ("Atom embedded, namespace dropped", "<html><body>" + ATOM.replace(' xmlns="http://www.w3.org/2005/Atom"', "") + "</body></html>"),
    ("Atom escaped in <pre>, highlighted",
     "<html><body><pre>" + ATOM.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
     .replace("&lt;title&gt;", '<span class="t">&lt;title&gt;</span>') + "</pre></body></html>"),
    ("RSS without <channel>", f'<?xml version="1.0"?><rss version="2.0"><title>c</title>{RSS_ITEMS}</rss>'),
    ("RSS without <channel>, cut before </rss>", f'<rss version="2.0">{RSS_ITEMS}'),
    ("RSS without <channel> in a page", f"<html><body><rss version='2.0'>{RSS_ITEMS}</rss></body></html>"),
    ("RSS escaped in a page", "<html><body><pre>&lt;rss version='2.0'&gt;"
     + RSS_ITEMS.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "&lt;/rss&gt;</pre></body></html>"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "document"), NEAR, ids=[n[0] for n in NEAR])
@pytest.mark.parametrize("own_text", [True, False])
def test_near_feeds_are_read(case: str, document: str, own_text: bool) -> None:
    feed = parse_feed(document.encode(), "https://x.example/", date_text=own_text)
    assert [item.title for item in feed.items] == ["A & B", "C"]


@pytest.mark.parametrize(
    "document",
    [
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>{RSS_ITEMS}</channel></rss>',
        f'<?xml version="1.0"?>\n<!-- generated -->\n{ATOM}',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        '{"version": "https://jsonfeed.org/version/1.1", "items": []}',
    ],
)
def test_feeds_are_left_as_they_are(document: str) -> None:
    assert feed_meant(document.encode()) == document.encode()


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body><p>Not found</p></body></html>",
        b"<!DOCTYPE html><html><body>Read our <a href='/feed'>feed</a>, with &lt;rss&gt; in it</body></html>",
    ],
)
def test_pages_without_a_feed_stay_errors(page: bytes) -> None:
    assert feed_meant(page) == page
    with pytest.raises(ParseError):
        parse_feed(page, "https://x.example/")


@pytest.mark.parametrize(
    ("document", "root"),
    [
        (b"\xef\xbb\xbf  <?xml version='1.0'?><!-- a -- b --><!DOCTYPE html><HTML>", "html"),
        (b"<!DOCTYPE rss [<!ENTITY x 'y'>]>\n<rss>", "rss"),
        (b"just text", None),
    ],
)
def test_root_name(document: bytes, root: str | None) -> None:
    assert root_name(document) == root


@pytest.mark.parametrize(
    "document",
    [
        b"<html>" + b"<feed " * 500_000,
        b"<html>&lt;rss " + b"<span " * 500_000 + b"&lt;/rss&gt;",
        b"<rss>" + b"<item>" * 1_000_000,
        b"<!--" + b"-" * 100_000,
    ],
)
def test_looking_for_the_feed_stays_linear(document: bytes) -> None:
    started = time.perf_counter()
    feed_meant(document)
    assert time.perf_counter() - started < 2  # under 0.1 s when measured
