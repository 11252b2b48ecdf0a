"""publish.site: the HTML news site, built from the state by the real CLI, incrementally."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from html import escape
from pathlib import Path

import pytest
from lxml import etree
from pytest_httpserver import HTTPServer

from conftest import free_port, run_cli
from feedcheck import validate_atom, validate_json_feed
from rsspress.config import ConfigError, FeedConfig, parse_config
from rsspress.publish.site import Entry, Section, paginate, section_tree, slugify

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)


def feed_xml(
    name: str, items: list[tuple[int, str, str]], link_prefix: str = "https://news.test"
) -> bytes:
    """RSS with items (number, title, body HTML), newest first, one hour apart."""
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{name}</title>'
    ]
    for n, title, body in items:
        when = (NOW - dt.timedelta(hours=100 - n)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        parts.append(
            f"<item><title>{escape(title)}</title><description>{escape(body)}</description>"
            f"<pubDate>{when}</pubDate><guid>{name}-{n}</guid>"
            f"<link>{escape(link_prefix)}/{name}/{n}</link></item>"
        )
    return ("".join(parts) + "</channel></rss>").encode()


def site_config(
    directory: Path, server: HTTPServer, *, state: str, extra_output: str = "", site_keys: str = ""
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "rsspress.yaml"
    path.write_text(
        "output:\n"
        "  - dir: site\n"
        "    format: html\n"
        "    title: 测试新闻\n"
        "    base_url: https://news.example.org/\n"
        "    timezone: Asia/Shanghai\n"
        "    page_size: 3\n"
        f"{site_keys}"
        f"{extra_output}"
        f'state: "{state}"\n'
        "images: {proxy: null}\n"
        "feeds:\n"
        "  科技资讯:\n"
        "    IT之家:\n"
        f"      最新: {server.url_for('/ithome.xml')}\n"
        "    cnBeta:\n"
        f"      头条: {server.url_for('/cnbeta.xml')}\n"
        "  编程:\n"
        "    掘金:\n"
        f"      前端: {server.url_for('/juejin.xml')}\n",
        encoding="utf-8",
    )
    return path


def items(prefix: str, count: int, start: int = 0) -> list[tuple[int, str, str]]:
    return [
        (
            n,
            f"{prefix} 新闻 {n}",
            f'<p>{prefix} 正文 {n}</p><img src="https://img.test/{prefix}{n}.jpg">',
        )
        for n in range(start + count - 1, start - 1, -1)
    ]


def serve_feeds(server: HTTPServer, feeds: dict[str, bytes]) -> None:
    server.clear()
    for name, body in feeds.items():
        server.expect_request(f"/{name}").respond_with_data(
            body, content_type="application/rss+xml"
        )


def site_files(site: Path) -> dict[str, int]:
    """Every file of a site with its mtime (ns), our bookkeeping files excluded."""
    return {
        str(p.relative_to(site)): p.stat().st_mtime_ns
        for p in site.rglob("*")
        if p.is_file() and not p.name.startswith(".rsspress")
    }


def written(result: subprocess.CompletedProcess[str]) -> int:
    match = re.search(r"site \S+: (\d+) files written", result.stdout)
    assert match, result.stdout + result.stderr
    return int(match[1])


# -- pure parts ---------------------------------------------------------------------


def entries(count: int) -> list[Entry]:
    section = Section(("g",), "c/g/")
    return [
        Entry(
            n,
            f"{n:016x}",
            f"t{n}",
            None,
            NOW + dt.timedelta(minutes=n),
            None,
            "",
            section,
            section,
            section,
        )
        for n in range(count - 1, -1, -1)
    ]


def test_pagination_is_stable_only_the_newest_pages_move() -> None:
    for count in range(0, 40):
        before = {p.path: p for p in paginate(entries(count), "", 5)}
        after = {p.path: p for p in paginate(entries(count + 1), "", 5)}
        # every entry is on exactly one page
        shown = [e.id for p in after.values() for e in p.entries]
        assert sorted(shown) == list(range(count + 1))
        changed = [path for path, page in after.items() if before.get(path) != page]
        assert "" in changed  # the front page shows the new entry
        assert len(changed) <= 3, (
            count,
            changed,
        )  # front, a page that became a file, its neighbour
        for page in after.values():
            if page.number:
                assert len(page.entries) == 5  # numbered pages are full and never change again
        front = after[""]
        if count + 1 <= 10:
            assert len(front.entries) == count + 1
        else:  # the newest page and the one before it: more than one page, at most two
            assert 5 < len(front.entries) <= 10


def test_pagination_links_walk_every_page_once() -> None:
    pages = {p.path: p for p in paginate(entries(23), "c/g/", 5)}
    seen: list[str] = []
    path: str | None = "c/g/"
    while path is not None:
        seen.append(path)
        path = pages[path].older
    # 23 entries in pages of 5: pages 1-3 are files, the front shows pages 4 and 5 (8 entries)
    assert seen == ["c/g/", "c/g/page/3/", "c/g/page/2/", "c/g/page/1/"]
    assert len(pages["c/g/"].entries) == 8
    assert pages["c/g/page/1/"].newer == "c/g/page/2/"
    assert pages["c/g/page/3/"].newer == "c/g/"


def test_slugs_keep_cjk_and_drop_what_paths_cannot_hold() -> None:
    assert slugify("ZAKER - 科技频道") == "ZAKER-科技频道"
    assert slugify("a/b?c#d%e") == "a-b-c-d-e"
    assert slugify("../..") != ""
    assert "/" not in slugify("../..") and not slugify("../..").startswith(".")
    assert slugify("\x00\x1f").startswith("x")


def test_sections_get_unique_paths_per_level() -> None:
    feeds = [
        FeedConfig("科技", "A/B", "x", "https://a.test/1"),
        FeedConfig("科技", "A?B", "x", "https://a.test/2"),
        FeedConfig("科技", "A?B", "y", "https://a.test/3"),
    ]
    tree = section_tree(feeds)
    paths = [s.path for s in tree.values()]
    assert len(paths) == len(set(paths)) == 6
    assert tree[feeds[0].key].path == "c/科技/A-B/x/"
    assert tree[feeds[1].key].path == "c/科技/A-B-2/x/"


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("{dir: p, format: hugo, profile: compat}", "compat reproduces the reference"),
        ("[{dir: p, format: hexo}, {dir: p, format: html}]", "a folder of its own"),
        ("{dir: s, format: html, timezone: Mars/Base}", "IANA time zone"),
        ("{dir: p, format: hexo, title: x}", "format: html for this key"),
        ("{dir: s, format: html, base_url: news.test}", "http(s) URL or a path"),
        ("[]", "at least one output"),
    ],
)
def test_output_config_errors_say_what_to_do(tmp_path: Path, output: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(expected)):
        parse_config(
            f"output: {output}\nfeeds: {{g: {{s: {{f: https://a.test/}}}}}}\n", tmp_path / "c.yaml"
        )


# -- the CLI, end to end -----------------------------------------------------------------


def test_run_builds_a_complete_site(tmp_path: Path, httpserver: HTTPServer, state: str) -> None:
    hostile = [
        (
            50,
            "<script>alert(1)</script> 标题 {{ x }}",
            "<p>{% raw %} 与 {{ y }}</p><script>alert(2)</script>",
        ),
    ]
    serve_feeds(
        httpserver,
        {
            "ithome.xml": feed_xml("ithome", items("ithome", 7)),
            "cnbeta.xml": feed_xml("cnbeta", items("cnbeta", 2)),
            "juejin.xml": feed_xml("juejin", hostile, link_prefix="javascript:alert(3)//"),
        },
    )
    config = site_config(tmp_path, httpserver, state=state)
    result = run_cli("run", "-c", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    files = site_files(site)
    assert len([f for f in files if f.startswith("a/")]) == 10
    for path in [
        "index.html", "archive/index.html", "search/index.html", "search/index.json",
        "feed.xml", "feed.json", "sources.opml", "static/style.css", "static/site.js",
        "static/search.js", "c/科技资讯/index.html", "c/科技资讯/IT之家/index.html",
        "c/科技资讯/IT之家/最新/index.html", "c/科技资讯/IT之家/最新/page/1/index.html",
        "c/科技资讯/IT之家/最新/feed.xml", "c/编程/掘金/前端/feed.json",
    ]:  # fmt: skip
        assert path in files, path

    # Item pages: title, linked source path, date, body, original link.
    page = (site / "a").glob("*.html")
    texts = {p.name: p.read_text("utf-8") for p in page}
    ithome = next(t for t in texts.values() if "ithome 新闻 3<" in t)
    assert '<a href="../c/%E7%A7%91%E6%8A%80%E8%B5%84%E8%AE%AF/">科技资讯</a>' in ithome
    assert "%E6%9C%80%E6%96%B0/" in ithome  # the feed's page
    assert (
        '<time datetime="2026-11-21T07:00:00+00:00">2026-11-21 15:00</time>' in ithome
    )  # Shanghai
    assert "<p>ithome 正文 3</p>" in ithome
    assert 'href="https://news.test/ithome/3"' in ithome
    assert 'loading="lazy"' in ithome

    # A hostile item stays text: no script, no javascript: link, braces shown as braces.
    bad = next(t for t in texts.values() if "alert(1)" in t)
    assert "<script>alert" not in bad and "alert(2)" not in bad
    assert "javascript:" not in bad
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 标题 {{ x }}" in bad or "标题 {{ x }}" in bad
    assert "&#123;% raw %&#125;" in bad  # shown as {% raw %} by the browser

    # Lists: the feed's front page shows its newest items, newest first.
    feed_front = (site / "c/科技资讯/IT之家/最新/index.html").read_text("utf-8")
    order = [int(n) for n in re.findall(r"ithome 新闻 (\d+)</a>", feed_front)]
    assert order == sorted(order, reverse=True) and order[0] == 6
    older = (site / "c/科技资讯/IT之家/最新/page/1/index.html").read_text("utf-8")
    assert re.findall(r"ithome 新闻 (\d+)</a>", older) == ["2", "1", "0"]
    archive = (site / "archive/index.html").read_text("utf-8")
    assert "2026-11-21" in archive

    # Output feeds validate and hold the newest items.
    for feed in site.rglob("feed.xml"):
        assert validate_atom(feed.read_bytes()) == [], feed
    for feed in site.rglob("feed.json"):
        assert validate_json_feed(feed.read_bytes()) == [], feed
    home = json.loads((site / "feed.json").read_text("utf-8"))
    assert len(home["items"]) == 10 and home["items"][0]["url"].startswith(
        "https://news.example.org/a/"
    )
    opml = etree.fromstring((site / "sources.opml").read_bytes())
    assert len(opml.findall(".//outline[@xmlUrl]")) == 3

    # The search index holds every title and the start of every text.
    index = json.loads((site / "search/index.json").read_text("utf-8"))
    rows = [
        row
        for shard in index["shards"]
        for row in json.loads((site / "search" / shard["file"]).read_text("utf-8"))
    ]
    assert sorted(r[1] for r in rows if r[1].startswith("cnbeta")) == [
        "cnbeta 新闻 0",
        "cnbeta 新闻 1",
    ]
    assert any("ithome 正文 6" in r[2] for r in rows)

    # No page loads anything from another host: only our own static files.
    for name, text in texts.items():
        for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', text):
            assert not re.match(r"(https?:)?//", url), (name, url)


def test_a_rebuild_writes_only_what_changed(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    feeds = {
        "ithome.xml": feed_xml("ithome", items("ithome", 20)),
        "cnbeta.xml": feed_xml("cnbeta", items("cnbeta", 20)),
        "juejin.xml": feed_xml("juejin", items("juejin", 20)),
    }
    serve_feeds(httpserver, feeds)
    config = site_config(tmp_path, httpserver, state=state)
    first = run_cli("run", "-c", str(config), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    site = tmp_path / "site"
    before = site_files(site)
    assert written(first) == len(before)

    # Nothing new: nothing written.
    again = run_cli("build", "-c", str(config), cwd=tmp_path)
    assert again.returncode == 0 and written(again) == 0
    assert site_files(site) == before

    # One new item in one feed: its page, that feed's, site's, group's and the home
    # lists' front pages and feeds, the day's archive, the search shard.
    feeds["juejin.xml"] = feed_xml("juejin", items("juejin", 21))
    serve_feeds(httpserver, feeds)
    result = run_cli("run", "-c", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = site_files(site)
    changed = sorted(p for p in after if before.get(p) != after[p])
    new = sorted(after.keys() - before.keys())
    # the item's page, and list pages that became files of their own (pages of 3 here)
    assert [p for p in new if not re.search(r"/?page/\d+/index.html$", p)] == [new[0]]
    assert new[0].startswith("a/")
    assert len(changed) == written(result) <= 24, changed
    assert not any(p.startswith("c/科技资讯") for p in changed), changed
    assert sum(p.startswith("a/") for p in changed) == 1
    # Items are never rewritten once published.
    assert [p for p in changed if p.startswith("a/") and p in before] == []

    # Built again from the state alone (no fetch), byte for byte.
    snapshot = {p: (site / p).read_bytes() for p in after}
    subprocess.run(["rm", "-rf", str(site)], check=True)
    rebuilt = run_cli("build", "-c", str(config), cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert {p: (site / p).read_bytes() for p in site_files(site)} == snapshot


def test_lost_manifest_or_deleted_page_is_repaired(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    serve_feeds(
        httpserver,
        {n: feed_xml(n[:-4], items(n[:-4], 4)) for n in ("ithome.xml", "cnbeta.xml", "juejin.xml")},
    )
    config = site_config(tmp_path, httpserver, state=state)
    assert run_cli("run", "-c", str(config), cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    (site / ".rsspress-site.json").write_text("{not json", encoding="utf-8")
    victim = next((site / "a").iterdir())
    content = victim.read_bytes()
    victim.unlink()
    result = run_cli("build", "-c", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert written(result) == 1 and victim.read_bytes() == content


def test_retention_removes_item_pages(tmp_path: Path, httpserver: HTTPServer, state: str) -> None:
    serve_feeds(
        httpserver,
        {n: feed_xml(n[:-4], items(n[:-4], 5)) for n in ("ithome.xml", "cnbeta.xml", "juejin.xml")},
    )
    config = site_config(tmp_path, httpserver, state=state)
    assert run_cli("run", "-c", str(config), cwd=tmp_path).returncode == 0
    assert len(list((tmp_path / "site/a").iterdir())) == 15
    config.write_text(config.read_text("utf-8") + "retention: {per_feed: 2}\n", encoding="utf-8")
    result = run_cli("run", "-c", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pages = list((tmp_path / "site/a").iterdir())
    assert len(pages) == 6
    assert not list((tmp_path / "site/c/科技资讯/IT之家/最新").glob("page/*"))  # 2 items: one page
    home = json.loads((tmp_path / "site/feed.json").read_text("utf-8"))
    assert len(home["items"]) == 6


def test_several_outputs_from_one_config(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    serve_feeds(
        httpserver,
        {n: feed_xml(n[:-4], items(n[:-4], 3)) for n in ("ithome.xml", "cnbeta.xml", "juejin.xml")},
    )
    extra = (
        "  - {dir: posts, format: hexo, profile: compat}\n"
        "  - {dir: hugo/content/posts, format: hugo}\n"
        "  - {dir: jekyll/_posts, format: jekyll}\n"
    )
    config = site_config(tmp_path, httpserver, state=state, extra_output=extra)
    result = run_cli("run", "-c", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "posts").glob("*.md"))) == 9
    assert len(list((tmp_path / "hugo/content/posts").glob("*.html"))) == 9
    assert len(list((tmp_path / "jekyll/_posts").glob("2026-11-2*-*.html"))) == 9
    assert len(list((tmp_path / "site/a").glob("*.html"))) == 9
    # The compat Hexo post keeps the reference's shape; the site shows the cleaned body.
    hexo = next((tmp_path / "posts").glob("*.md")).read_text("utf-8")
    assert hexo.startswith("\n---\ntitle: ")


def test_user_templates_replace_the_shipped_ones(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    serve_feeds(
        httpserver,
        {n: feed_xml(n[:-4], items(n[:-4], 2)) for n in ("ithome.xml", "cnbeta.xml", "juejin.xml")},
    )
    templates = tmp_path / "my-templates"
    templates.mkdir()
    (templates / "item.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1 class="mine">{{ entry.title }}</h1>{% endblock %}',
        encoding="utf-8",
    )
    config = site_config(
        tmp_path, httpserver, state=state, site_keys="    templates: my-templates\n"
    )
    assert run_cli("run", "-c", str(config), cwd=tmp_path).returncode == 0
    page = next((tmp_path / "site/a").iterdir()).read_text("utf-8")
    assert '<h1 class="mine">' in page
    # A template change rebuilds the pages that use it.
    (templates / "item.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1 class="changed">{{ entry.title }}</h1>{% endblock %}',
        encoding="utf-8",
    )
    result = run_cli("build", "-c", str(config), cwd=tmp_path)
    assert written(result) == 6
    assert '<h1 class="changed">' in next((tmp_path / "site/a").iterdir()).read_text("utf-8")


def test_build_needs_an_html_output(tmp_path: Path) -> None:
    (tmp_path / "rsspress.yaml").write_text(
        "feeds: {g: {s: {f: https://a.test/}}}\n", encoding="utf-8"
    )
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 2 and "format: html" in result.stderr


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def test_serve_previews_and_rebuilds_when_the_state_changes(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    feeds = {
        n: feed_xml(n[:-4], items(n[:-4], 2)) for n in ("ithome.xml", "cnbeta.xml", "juejin.xml")
    }
    serve_feeds(httpserver, feeds)
    config = site_config(tmp_path, httpserver, state=state)
    assert run_cli("run", "-c", str(config), cwd=tmp_path).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rsspress", "serve", "-c", str(config), "--listen", f"127.0.0.1:{port}"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                home = fetch(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
                time.sleep(0.1)
        assert "ithome 新闻 1" in home and "ithome 新闻 2" not in home
        feeds["ithome.xml"] = feed_xml("ithome", items("ithome", 3))
        serve_feeds(httpserver, feeds)
        assert run_cli("run", "-c", str(config), cwd=tmp_path).returncode == 0
        deadline = time.monotonic() + 20
        while "ithome 新闻 2" not in fetch(f"http://127.0.0.1:{port}/"):
            assert time.monotonic() < deadline, "serve did not rebuild"
            time.sleep(0.2)
    finally:
        server.terminate()
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert "serving" in out
