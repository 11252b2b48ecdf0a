"""content: compat keeps the feed's bytes; default repairs, resolves and makes Hexo-safe."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from rsspress.config import ImagesConfig
from rsspress.content import PreparedBody, escape_braces, prepare_body, proxied
from rsspress.model import Profile

PROXY = ImagesConfig(proxy="https://p.example/?{url}", rewrite="http")


def compat(html: str, images: ImagesConfig = PROXY) -> PreparedBody:
    return prepare_body(html, base_url=None, images=images, profile=Profile.COMPAT, placeholder_n=7)


def default(html: str, base: str = "https://site.example/a/b.html") -> PreparedBody:
    return prepare_body(html, base_url=base, images=PROXY, profile=Profile.DEFAULT, placeholder_n=7)


@pytest.mark.parametrize(
    ("rewrite", "url", "expected"),
    [
        ("http", "http://i.example/a.jpg", "https://p.example/?http://i.example/a.jpg"),
        ("http", "https://i.example/a.jpg", "https://i.example/a.jpg"),
        ("all", "https://i.example/a.jpg", "https://p.example/?https://i.example/a.jpg"),
        ("none", "http://i.example/a.jpg", "http://i.example/a.jpg"),
        ("all", "data:image/gif;base64,R0", "data:image/gif;base64,R0"),
    ],
)
def test_proxy_rules(rewrite: str, url: str, expected: str) -> None:
    assert proxied(url, ImagesConfig(proxy="https://p.example/?{url}", rewrite=rewrite)) == expected


def test_compat_changes_only_img_src_and_adds_referrerpolicy() -> None:
    html = (
        '<p onclick="x()">a</p><img data-src="http://i.example/lazy.jpg" src="http://i.example/1.jpg">'
        "<img src='https://i.example/2.jpg' referrerpolicy=\"origin\"/>"
        "<IMG SRC=http://i.example/3.jpg>"
    )
    out = compat(html).html
    assert out == (
        '<p onclick="x()">a</p><img data-src="http://i.example/lazy.jpg" '
        'src="https://p.example/?http://i.example/1.jpg" referrerpolicy="no-referrer">'
        "<img src='https://i.example/2.jpg' referrerpolicy=\"origin\"/>"
        '<IMG SRC=https://p.example/?http://i.example/3.jpg referrerpolicy="no-referrer">'
    )


def test_compat_cover_is_the_first_real_image_proxied() -> None:
    lazy = '<img src="data:image/gif;base64,R0" data-original="http://i.example/real.jpg">'
    assert compat(lazy + '<img src="http://i.example/2.jpg">').cover == (
        "https://p.example/?http://i.example/real.jpg"
    )
    assert compat('<img src="https://i.example/s.jpg">').cover == "https://i.example/s.jpg"


def test_compat_without_images_gets_the_numbered_placeholder() -> None:
    assert compat("<p>text</p>").cover == "https://picsum.photos/400/300?random=7"


def test_braces_are_escaped_in_both_profiles() -> None:
    html = "<p>{{ title }} {% raw %} {# c #} }</p>"
    for body in (compat(html), default(html)):
        assert "{" not in body.html and "}" not in body.html
        assert "&#123;&#123; title &#125;&#125;" in body.html
    assert escape_braces("{x}") == "&#123;x&#125;"


def test_compat_removes_blank_lines_only() -> None:
    assert compat("<p>a</p>\n   \n\n<p>b</p>\n    <p>c</p>").html == (
        "<p>a</p>\n<p>b</p>\n    <p>c</p>"
    )


class ImageCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        if tag == "a":
            self.links.append(dict(attrs).get("href"))


def parsed(html: str) -> ImageCollector:
    collector = ImageCollector()
    collector.feed(html)
    return collector


def test_default_repairs_lazy_images_and_resolves_relative_urls() -> None:
    html = (
        '<img src="data:image/gif;base64,R0" data-original="http://i.example/a.jpg">'
        '<img src="/static/loading.gif" data-src="https://mmbiz.example/b.png">'
        '<img src="../c.jpg"><a href="/post/2">more</a><a href="https://x.example/">abs</a>'
    )
    body = default(html)
    images = parsed(body.html).images
    assert [i["src"] for i in images] == [
        "https://p.example/?http://i.example/a.jpg",
        "https://mmbiz.example/b.png",
        "https://site.example/c.jpg",
    ]
    assert all(i["referrerpolicy"] == "no-referrer" for i in images)
    assert "data-original" not in images[0]  # repaired, then dropped by the sanitizer
    assert parsed(body.html).links == ["https://site.example/post/2", "https://x.example/"]
    assert body.cover == "https://p.example/?http://i.example/a.jpg"


def test_default_body_has_no_blank_or_indented_line_and_keeps_pre() -> None:
    html = "<div>\n\n    <p>a</p>\n\n</div><pre><code>line 1\n\n    indented</code></pre>\n\n  <p>b</p>"
    body = default(html).html
    assert "\n\n" not in body
    assert not any(line.startswith((" ", "\t")) for line in body.split("\n"))
    assert "<pre><code>line 1&#10;&#10;    indented</code></pre>" in body


def test_default_drops_style_and_script_elements_with_their_text() -> None:
    html = "<style>p{color:red}</style><p>x</p><script>alert(1)</script>"
    assert default(html).html == "<p>x</p>"


def test_default_without_usable_images_gets_the_placeholder() -> None:
    body = default('<p>x</p><img src="data:image/png;base64,AA">')
    assert body.cover == "https://picsum.photos/400/300?random=7"


def test_default_cover_prefers_the_feeds_own_image() -> None:
    body = prepare_body(
        '<img src="https://i.example/body.jpg">',
        base_url=None, images=PROXY, profile=Profile.DEFAULT, placeholder_n=7,
        media_images=("http://i.example/enclosure.jpg",),
    )  # fmt: skip
    assert body.cover == "https://p.example/?http://i.example/enclosure.jpg"


@pytest.mark.parametrize(
    "junk",
    [
        '<img src="https://i.example/t.gif" width="1" height="1">',
        '<img src="https://i.example/t.gif" width="2px">',
        '<img src="https://hm.example.cn/hm.gif?pixel=1">',
        '<img src="data:image/png;base64,AAAA">',
        '<img src="https://i.example/emoji/1f600.png" class="wx-emoji">',
        '<img src="https://i.example/static/icons/share.png">',
        '<img src="https://i.example/a.png" class="icon-share">',
        '<img src="https://i.example/favicon.ico">',
    ],
)
def test_default_cover_skips_pixels_emoji_and_icons(junk: str) -> None:
    assert (
        default(junk + '<img src="https://i.example/real.jpg">').cover
        == "https://i.example/real.jpg"
    )
    assert default(junk).cover == "https://picsum.photos/400/300?random=7"


def test_compat_cover_stays_the_first_image_as_the_reference_did() -> None:
    html = '<img src="http://i.example/emoji/1.png"><img src="http://i.example/real.jpg">'
    assert compat(html).cover == "https://p.example/?http://i.example/emoji/1.png"


def test_srcset_candidates_go_through_the_proxy() -> None:
    html = '<img src="http://i.example/a.jpg" srcset="http://i.example/a.jpg 1x, /b.jpg 2x">'
    (image,) = parsed(default(html).html).images
    # http candidates are proxied; a relative one is resolved against the item (https here)
    assert (
        image["srcset"]
        == "https://p.example/?http://i.example/a.jpg 1x, https://site.example/b.jpg 2x"
    )
