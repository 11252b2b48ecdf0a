"""Inputs that took time quadratic in their size: the work is linear now, and bounded per item.

Measured before the fix: a title of 120,000 spaces took 70 s in ``one_line``; a
body of 300,000 spaces and one newline took 88 s in ``_markdown_safe``; 80,000
nested ``<div>`` took lexbor and nh3 49 s; 400 KB of attributes on one ``<img>``
took 9 s, of attributes on one ``<item>`` 26 s in fastfeedparser's extractor.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from conftest import posts_in, run_cli, write_config
from rsspress.config import ImagesConfig
from rsspress.content.budget import (
    MAX_LINE_CHARS,
    TooCostly,
    bounded_item,
    browser_shaped,
    parse_body,
)
from rsspress.content.prepare import _markdown_safe, _prepare_compat
from rsspress.parse import FeedItem
from rsspress.publish.post import one_line
from rsspress.publish.site import lazy_images

# -- the rewritten functions give what the old regexes gave -----------------------

ONE_LINE = [  # (text, as before)
    ("新闻 标题", "新闻 标题"),
    ("a\nb", "a b"),
    ("  a \r\n\t b  ", "a b"),
    ("a\u2028b", "a b"),
    ("a  b", "a  b"),  # white space without a line break stays
    ("a\x85b", "a b"),
    ("\n", ""),
    ("a\u3000\nb", "a b"),
    ("a\x0bb", "ab"),
    ("第一行\r\n\r\n   第二行", "第一行 第二行"),
    ("tab\tonly", "tab\tonly"),
]

MARKDOWN_SAFE = [
    ("<p>a</p>\n\n<p>b</p>", "<p>a</p>\n<p>b</p>"),
    ("<pre>a\n  b</pre>\n  <p>x</p>", "<pre>a&#10;  b</pre>\n<p>x</p>"),
    ("<textarea>a\r\nb</textarea>\n c", "<textarea>a&#10;b</textarea>\nc"),
    ("<pre>unclosed\n x", "<pre>unclosed\nx"),
    (" a \n b ", "a\nb"),
    ("no newline  ", "no newline"),
    (
        '<p>一</p>\n\t\n<pre class="py">x = 1\n\ny = 2</pre>',
        '<p>一</p>\n<pre class="py">x = 1&#10;&#10;y = 2</pre>',
    ),
    ("<pre>a\n</pre><pre>b\n</pre>\n", "<pre>a&#10;</pre><pre>b&#10;</pre>"),
]

LAZY_IMAGES = [
    ('<p><img src="x.png"></p>', '<p><img loading="lazy" src="x.png"></p>'),
    ('<img loading="eager" src="x">', '<img loading="eager" src="x">'),
    ("<IMG src=x><img src=y loading=lazy>", '<img loading="lazy" src=x><img src=y loading=lazy>'),
    ("<p>no image</p>", "<p>no image</p>"),
    ('<img alt="<img" src=x>', '<img loading="lazy" alt="<img loading="lazy"" src=x>'),
]

PROXY = "https://p.test/?u="
COMPAT = [  # (feed HTML, body, cover)
    (
        '<p><img src="http://a.test/x.png"> text</p>',
        f'<p><img src="{PROXY}http://a.test/x.png" referrerpolicy="no-referrer"> text</p>',
        f"{PROXY}http://a.test/x.png",
    ),
    (
        "<img src='https://a.test/y.png' referrerpolicy=origin>",
        "<img src='https://a.test/y.png' referrerpolicy=origin>",
        "https://a.test/y.png",
    ),
    (
        '<img data-src="http://a.test/z.png" src=data:x>\n\n<p>b</p>',
        '<img data-src="http://a.test/z.png" src=data:x referrerpolicy="no-referrer">\n<p>b</p>',
        f"{PROXY}http://a.test/z.png",
    ),
    (  # a tag that never ends is left alone
        '<p>x</p><img src="http://a.test/w.png"',
        '<p>x</p><img src="http://a.test/w.png"',
        "https://picsum.photos/400/300?random=7",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ONE_LINE)
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected


@pytest.mark.parametrize(("markup", "expected"), MARKDOWN_SAFE)
def test_markdown_safe(markup: str, expected: str) -> None:
    assert _markdown_safe(markup) == expected


@pytest.mark.parametrize(("body", "expected"), LAZY_IMAGES)
def test_lazy_images(body: str, expected: str) -> None:
    assert str(lazy_images(body)) == expected


@pytest.mark.parametrize(("feed_html", "body", "cover"), COMPAT)
def test_compat_images(feed_html: str, body: str, cover: str) -> None:
    prepared = _prepare_compat(feed_html, ImagesConfig(proxy=PROXY + "{url}"), 7)
    assert (prepared.html, prepared.cover) == (body, cover)


# -- the rewritten functions are linear: ten times the input, about ten times the time --

LINEAR_CASES: list[tuple[str, Callable[[int], object]]] = [
    ("one_line on spaces", lambda n: one_line(" " * n + "x")),
    ("one_line on spaces and a break", lambda n: one_line("x" + " " * n + "\n")),
    ("markdown_safe on spaces and a newline", lambda n: _markdown_safe("x" + " " * n + "y\n")),
    ("markdown_safe on unclosed <pre>", lambda n: _markdown_safe("<pre>\n" * (n // 6))),
    ("lazy_images on an alt full of <img", lambda n: lazy_images('<img alt="' + "<img " * n)),
    ("compat on unclosed <img", lambda n: _prepare_compat("<img " * (n // 5), ImagesConfig(), 1)),
]


@pytest.mark.parametrize(("name", "work"), LINEAR_CASES, ids=[c[0] for c in LINEAR_CASES])
def test_linear(name: str, work: Callable[[int], object]) -> None:
    def seconds(n: int) -> float:
        start = time.perf_counter()
        work(n)
        return time.perf_counter() - start

    small, big = seconds(20_000), seconds(200_000)
    # Quadratic was 100x (and several seconds); linear is 10x plus noise.
    assert big <= 30 * small + 0.2, (name, small, big)


# -- the budget ---------------------------------------------------------------------


def _item(
    title: str = "t", body: str = "<p>b</p>", link: str | None = "https://a.test/1"
) -> FeedItem:
    return FeedItem(guid="g", link=link, title=title, content_html=body, date_text=None, date=None)


def test_a_title_is_cut_to_a_line() -> None:
    item = bounded_item(_item(title="长" * 100_000))
    assert len(item.title) == MAX_LINE_CHARS and item.title.endswith("…")


@pytest.mark.parametrize(
    ("link", "anchor"),
    [
        ("https://a.test/1?x=1&y=2", 'href="https://a.test/1?x=1&amp;y=2"'),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_a_body_over_the_limit_becomes_a_note(link: str | None, anchor: str | None) -> None:
    item = bounded_item(_item(body="<p>" + "x" * 2000 + "</p>", link=link), max_body_chars=1000)
    assert "not mirrored here" in item.content_html and "x" * 100 not in item.content_html
    if anchor is None:
        assert "<a " not in item.content_html
    else:
        assert anchor in item.content_html


def test_a_body_within_the_limit_is_kept_as_it_is() -> None:
    body = "<p>" + "正文 " * 10_000 + "</p>" + "<p><b>x</b></p>" * 300
    assert bounded_item(_item(body=body)).content_html == body


def test_deep_nesting_is_parsed_as_a_browser_nests_it() -> None:
    tree = parse_body("<div>" * 50_000 + "深处")
    depth, node = 0, tree.css_first("div")
    while node is not None and node.tag == "div":
        depth, node = depth + 1, node.child
    assert 500 <= depth <= 512  # Chromium stops nesting at 512 too
    assert tree.body is not None and "深处" in tree.body.text()


def test_reopened_formatting_is_refused_before_parsing() -> None:
    body = "<p>" + "".join(f"<b a={i}>" for i in range(3000)) + "</p>" + "<p>x</p>" * 3000
    start = time.perf_counter()
    with pytest.raises(TooCostly):
        browser_shaped(body)
    assert time.perf_counter() - start < 1


# -- through the real command line: a feed with each slow input ----------------------

BIG = 900_000  # characters, under content.max_body_chars (1,000,000)
SMALL = 9_000


def _feed(title: str, body: str, item_tag: str = "<item>") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>slow</title><link>https://a.test/</link>"
        f"{item_tag}<title>{html.escape(title)}</title><link>https://a.test/post/1</link>"
        f"<guid>https://a.test/post/1</guid><description>{html.escape(body)}</description>"
        "<pubDate>Sun, 28 Nov 2021 01:19:00 GMT</pubDate></item></channel></rss>"
    ).encode()


# name -> (feed of about n characters, the post's title, text the post must hold)
SHAPES: dict[str, tuple[Callable[[int], bytes], str, str]] = {
    # One long run of white space: a title is cut to a line, and reads as the words it has.
    "title of spaces": (lambda n: _feed("标题" + " " * n + "尾", "<p>正文</p>"), "标题 尾", "正文"),
    "title of ideographic spaces": (
        lambda n: _feed("标题" + "\u3000 " * (n // 2) + "尾", "<p>正文</p>"),
        "标题 尾",
        "正文",
    ),
    "body of spaces and one newline": (
        lambda n: _feed("t", "<p>a" + " " * n + "b</p>\n"),
        "t",
        "<p>a",
    ),
    "deep div": (lambda n: _feed("t", "<div>" * (n // 5) + "深处"), "t", "深处"),
    "deep list": (lambda n: _feed("t", "<ul><li>" * (n // 8) + "深处"), "t", "深处"),
    "unclosed pre": (lambda n: _feed("t", "<pre>\n" * (n // 6) + "尾"), "t", "尾"),
    "attributes on one image": (
        lambda n: _feed(
            "t",
            '<img src="http://i.test/a.png" ' + "".join(f"a{i}=1 " for i in range(n // 10)) + ">",
        ),
        "t",
        "i.test/a.png",
    ),
    "attributes on the item": (
        lambda n: _feed(
            "t", "<p>正文</p>", "<item " + "".join(f'a{i}="1" ' for i in range(n // 10)) + ">"
        ),
        "t",
        "正文",
    ),
    "alt full of <img": (
        lambda n: _feed("t", '<img src="http://i.test/a.png" alt="' + "&lt;img " * (n // 9) + '">'),
        "t",
        "i.test/a.png",
    ),
    "unclosed <img": (lambda n: _feed("t", "<p>正文</p>" + "<img " * (n // 5)), "t", "正文"),
    "ampersands": (lambda n: _feed("t", "<p>" + "& " * (n // 2) + "尾</p>"), "t", "尾"),
    "re-opened formatting": (
        lambda n: _feed(
            "t",
            "<p>" + "".join(f"<b a={i}>" for i in range(n // 18)) + "</p>" + "<p>x</p>" * (n // 18),
        ),
        "t",
        "not mirrored here",
    ),
}
OUTPUTS = "[{dir: posts, format: hexo}, {dir: site, format: html}"
# With a compat output the feed's own date text is kept, so fastfeedparser's native
# extractor is not used: the item's attributes are tried without one.
COMPAT_OUTPUT = ", {dir: compat, format: hexo, profile: compat}"
NO_COMPAT = {"attributes on the item"}


def _run(directory: Path, url: str, compat: bool) -> tuple[float, str, str]:
    """Run the CLI on one feed; its seconds, the default post's title line and body."""
    outputs = OUTPUTS + (COMPAT_OUTPUT if compat else "") + "]"
    write_config(directory, f"slow:\n  s:\n    f: {url}\n", output=outputs)
    start = time.perf_counter()
    result = run_cli("run", cwd=directory, timeout=600)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    posts = posts_in(directory)
    assert len(posts) == 1 and len(list((directory / "compat").glob("*.md"))) == int(compat)
    text = posts[0].read_text("utf-8")
    title = re.search(r"^title: (.*)$", text, re.MULTILINE)
    assert title is not None
    assert (directory / "site" / "index.html").is_file()
    return seconds, title.group(1), text


@pytest.mark.parametrize("shape", SHAPES)
def test_a_run_on_a_slow_input_takes_linear_time(
    shape: str, tmp_path: Path, httpserver: HTTPServer
) -> None:
    make, title, shown = SHAPES[shape]
    for size in (SMALL, BIG):
        httpserver.expect_request(f"/{size}").respond_with_data(
            make(size), content_type="application/rss+xml"
        )
    compat = shape not in NO_COMPAT
    small, small_title, _ = _run(tmp_path / "small", httpserver.url_for(f"/{SMALL}"), compat)
    big, big_title, text = _run(tmp_path / "big", httpserver.url_for(f"/{BIG}"), compat)
    # Before: minutes (one_line alone took 70 s on 120 KB). Linear work on 1 MB is a
    # few seconds at most on top of a run's fixed cost (the small run measures that).
    assert big <= small + 20, (shape, small, big)
    assert big_title == small_title == f"'{title}'"
    assert shown in text
    if shown != "not mirrored here":
        assert "not mirrored here" not in text
