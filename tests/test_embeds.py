"""Frames and referrers in bodies, judged the way a browser reads them.

html5lib parses the output as a browser parses HTML, and ada-url (a WHATWG URL
parser, standing in for the browser) reads each frame's src against the URL of
the page that shows the post. A frame may load only from the configured hosts,
with no permission for camera, microphone and the like; every image and frame
sends no Referer, whatever the feed asked for.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import ada_url
import html5lib
import pytest
from pytest_httpserver import HTTPServer

from conftest import run_cli, write_config
from rsspress.config import ContentConfig, ImagesConfig
from rsspress.content import prepare_body
from rsspress.content.sanitize import sanitize
from rsspress.model import Profile

HOSTS = ("player.bilibili.com", "www.youtube.com", "player.vimeo.com")  # the default
PAGE = "https://blog.example/2026/12/01/post.html"  # where a reader sees the post
ITEM_LINK = "https://news.example/articles/1"  # the item's link: the base of its relative URLs
# What the issue found: Python's urlsplit reads the host as youtube, a browser as `evil`.
BACKSLASH = r"http://evil\@www.youtube.com/embed/x"


def elements(markup: str, tag: str) -> list[dict[str, str]]:
    """The attributes of every ``tag`` element, as a browser's HTML parser sees them."""
    document = html5lib.parse(markup, namespaceHTMLElements=False)
    return [
        {str(name).lower(): str(value) for name, value in element.attrib.items()}
        for element in document.iter(tag)
    ]


def browser_loads(src: str, page: str = PAGE) -> tuple[str, str] | None:
    """(scheme, host) a browser loads for this src on ``page``; None when it loads nothing."""
    try:
        parts = ada_url.parse_url(ada_url.join_url(page, src))
    except ValueError:
        return None
    return parts["protocol"].removesuffix(":"), parts["hostname"]


def frame_allowed(src: str, page: str = PAGE) -> bool:
    loaded = browser_loads(src, page)
    return loaded is not None and loaded[0] in ("http", "https") and loaded[1] in HOSTS


def prepared(markup: str) -> str:
    return prepare_body(
        markup,
        base_url=ITEM_LINK,
        images=ImagesConfig(proxy=None),
        profile=Profile.DEFAULT,
        placeholder_n=1,
        content=ContentConfig(iframe_hosts=HOSTS),
    ).html


# Frames a browser would load from a host that is not allowed (or from no host at all).
REFUSED = [
    BACKSLASH,
    r"https://evil.example\@www.youtube.com/embed/x",
    r"http:\\evil.example\www.youtube.com/embed/x",
    r"http:\\evil.example/embed/x",
    r"\\evil.example/embed/x",  # relative: the page's scheme, host evil.example
    r"/\evil.example/embed/x",
    "//evil.example/embed/x",
    "https://evil.example#@www.youtube.com/embed/x",
    "https://evil.example?@www.youtube.com/embed/x",
    "https://www.youtube.com@evil.example/embed/x",
    "https://www.youtube.com%40evil.example/embed/x",
    "https://www.youtube.com.evil.example/embed/x",
    "https://www.youtube.com%2eevil.example/embed/x",
    "https://www.youtube.com%5c@evil.example/embed/x",
    "https://www.youtubе.com/embed/x",  # Cyrillic е: xn--youtub-8of.com
    "https://www.yｏutube.com.evil.example/embed/x",
    "https://www.youtube.com./embed/x",
    "https://xn--www.youtube.com/embed/x",
    "java\tscript:alert(1)",
    "java&#x0A;script:alert(1)",
    " javascript:alert(1)",
    "JAVASCRIPT://www.youtube.com/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "blob:https://www.youtube.com/1",
    "ftp://www.youtube.com/embed/x",
    "/embed/x",  # our own site
    "embed/x",
    "",
]
# On an allowed host, but no embed code has them: credentials, another port.
ALSO_REFUSED = [
    "https://evil.example%2F@www.youtube.com/embed/x",  # a user named "evil.example/"
    "https://user:pass@www.youtube.com/embed/x",
    "https://www.youtube.com:8443/embed/x",
]


@pytest.mark.parametrize("src", REFUSED + ALSO_REFUSED)
def test_a_frame_from_another_host_is_removed(src: str) -> None:
    markup = f'<p>前</p><iframe src="{html.escape(src)}" allow="camera *; microphone *" allowfullscreen></iframe><p>后</p>'
    raw = elements(markup, "iframe")
    assert len(raw) == 1
    if src in REFUSED:  # a real attack: the browser would load it from elsewhere
        assert not frame_allowed(raw[0].get("src", ""), ITEM_LINK)
    body = prepared(markup)
    assert elements(body, "iframe") == [], body
    assert "<p>前</p>" in body and "<p>后</p>" in body
    # The sanitizer alone (no base URL) keeps no frame a browser would load either.
    for frame in elements(sanitize(markup, HOSTS), "iframe"):
        assert "src" not in frame, frame


# Frames on an allowed host however spelled, and the one URL they are written as.
KEPT = [
    ("https://www.youtube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("HTTPS://WWW.YouTube.COM/embed/x?start=3", "https://www.youtube.com/embed/x?start=3"),
    ("//player.bilibili.com/player.html?bvid=BV1&page=1", "https://player.bilibili.com/player.html?bvid=BV1&page=1"),
    ("https://ｗｗｗ.youtube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("https://www%2Eyoutube%2Ecom/embed/x", "https://www.youtube.com/embed/x"),
    ("https://www.you\ttube.com/embed/x", "https://www.youtube.com/embed/x"),
    ("  https://player.vimeo.com/video/1  ", "https://player.vimeo.com/video/1"),
    ("https://www.youtube.com:443/embed/x", "https://www.youtube.com/embed/x"),
    # A browser reads "\" as "/": this one is on youtube, its path /@evil.example/.
    (r"https://www.youtube.com\@evil.example/", "https://www.youtube.com/@evil.example/"),
]  # fmt: skip


@pytest.mark.parametrize(("src", "href"), KEPT)
def test_a_frame_on_an_allowed_host_is_kept_as_the_browser_reads_it(src: str, href: str) -> None:
    markup = f'<iframe src="{html.escape(src)}" width="640" allow="camera *; microphone *; fullscreen" allowfullscreen></iframe>'
    for body in (prepared(markup), sanitize(f'<iframe src="{html.escape(href)}"></iframe>', HOSTS)):
        (frame,) = elements(body, "iframe")
        assert frame["src"] == href
        assert frame_allowed(frame["src"])
        assert "allow" not in frame
        assert frame["referrerpolicy"] == "no-referrer"
    assert elements(prepared(markup), "iframe")[0]["width"] == "640"


def test_a_frame_gets_no_permission_from_the_feed() -> None:
    markup = (
        '<iframe src="https://www.youtube.com/embed/x" allow="camera *; microphone *; geolocation *"'
        ' allowpaymentrequest allowusermedia allowfullscreen sandbox="allow-scripts allow-top-navigation"'
        ' csp="script-src *" credentialless referrerpolicy="unsafe-url" loading="eager" name="x"'
        ' srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;" width="640" height="360" frameborder="0"></iframe>'
    )
    (frame,) = elements(prepared(markup), "iframe")
    assert frame == {
        "src": "https://www.youtube.com/embed/x",
        "allowfullscreen": "",  # players need it; only a click in the frame uses it
        "width": "640",
        "height": "360",
        "frameborder": "0",
        "referrerpolicy": "no-referrer",
    }


REFERRER_CASES = [
    '<img src="https://i.example/a.jpg" referrerpolicy="unsafe-url">',
    '<img src="https://i.example/a.jpg" REFERRERPOLICY="origin">',
    '<img src="https://i.example/a.jpg" referrerpolicy="unsafe&#45;url">',
    '<img src="https://i.example/a.jpg" referrerpolicy="unsafe-url" referrerpolicy="no-referrer">',
    '<img data-src="https://i.example/lazy.jpg" src="data:image/gif;base64,R0lGOD" referrerpolicy="no-referrer-when-downgrade">',
    '<picture><source srcset="https://i.example/a.webp" referrerpolicy="unsafe-url"><img src="https://i.example/a.jpg" referrerpolicy="origin-when-cross-origin"></picture>',
    '<iframe src="https://www.youtube.com/embed/x" referrerpolicy="unsafe-url"></iframe>',
    '<a href="https://i.example/" referrerpolicy="unsafe-url">x</a>',
    '<a href="https://i.example/" rel="opener" referrerpolicy="unsafe-url">x</a>',
]


@pytest.mark.parametrize("markup", REFERRER_CASES)
def test_nothing_in_a_body_sends_a_referer(markup: str) -> None:
    raw = [e for tag in ("img", "iframe", "a") for e in elements(markup, tag)]
    assert any(e.get("referrerpolicy") != "no-referrer" for e in raw)  # a real attack
    for body in (prepared(markup), sanitize(markup, HOSTS)):
        assert_sends_no_referer(body)


def assert_sends_no_referer(body: str) -> None:
    """Every img and iframe says no-referrer; links say noreferrer; nothing says otherwise."""
    document = html5lib.parse(body, namespaceHTMLElements=False)
    found = 0
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        policy = element.get("referrerpolicy")
        if element.tag in ("img", "iframe"):
            assert policy == "no-referrer", (element.tag, dict(element.attrib))
            found += 1
        else:
            assert policy in (None, "no-referrer"), (element.tag, dict(element.attrib))
        if element.tag == "a" and element.get("href"):
            assert "noreferrer" in (element.get("rel") or "").split(), dict(element.attrib)
            assert "opener" not in (element.get("rel") or "").split()
            found += 1
    assert found, body


# -- the real CLI: a feed with these frames, a Hexo output and the HTML site ----------------

FEED_ITEMS = [
    ("backslash", f'<p>一</p><iframe src="{html.escape(BACKSLASH)}" allow="camera *; microphone *"></iframe>'),
    ("relative", '<p>二</p><iframe src="//evil.example/embed/x" allow="camera *"></iframe>'),
    ("fragment", '<p>三</p><iframe src="https://evil.example#@www.youtube.com/embed/x"></iframe>'),
    ("good", '<p>四</p><iframe src="//www.youtube.com/embed/ok" allow="camera *; microphone *" allowfullscreen></iframe>'
             '<img src="https://img.example/a.jpg" referrerpolicy="unsafe-url">'),
]  # fmt: skip


def test_posts_and_site_pages_keep_only_allowed_frames(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "frames",
        "items": [
            {"id": name, "url": f"{ITEM_LINK}/{name}", "title": name, "content_html": body}
            for name, body in FEED_ITEMS
        ],
    }
    httpserver.expect_request("/frames.json").respond_with_data(
        json.dumps(feed), content_type="application/feed+json"
    )
    write_config(
        tmp_path,
        f"g:\n  s:\n    f: {httpserver.url_for('/frames.json')}\n",
        state=state,
        output="[{dir: posts, format: hexo}, {dir: site, format: html}]",
    )
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    posts = [p.read_text("utf-8") for p in sorted((tmp_path / "posts").glob("*.md"))]
    site_pages = [p.read_text("utf-8") for p in sorted((tmp_path / "site" / "a").glob("*.html"))]
    assert len(posts) == len(site_pages) == len(FEED_ITEMS)
    for page in posts + site_pages:
        frames = elements(page, "iframe")
        for frame in frames:
            assert frame_allowed(frame["src"]), frame
            assert "allow" not in frame and frame["referrerpolicy"] == "no-referrer"
        if "<p>四</p>" in page:  # the allowed frame is there, resolved against the item's link
            assert [f["src"] for f in frames] == ["https://www.youtube.com/embed/ok"]
            (image,) = elements(page.split("<p>四</p>", 1)[1], "img")
            assert image["referrerpolicy"] == "no-referrer"
        else:
            assert frames == [], page
    # The site's own policy stays in force: no body element overrides it.
    assert all('<meta name="referrer" content="no-referrer">' in page for page in site_pages)
    for page in site_pages:
        assert "unsafe-url" not in page
