"""OPML: import nests group / site / feed, export writes it back, and the round trip loses nothing."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from corpus import corpus_feeds
from rsspress.config import load_config
from rsspress.opml import UNGROUPED, read_opml


def test_corpus_opml_round_trip_loses_nothing(corpus_s: Path, tmp_path: Path) -> None:
    original = (corpus_s / "feeds.opml").read_bytes()

    imported = run_cli("import", str(corpus_s / "feeds.opml"), cwd=tmp_path)
    exported = run_cli("export", cwd=tmp_path)

    assert imported.returncode == 0, imported.stderr
    assert "imported 100 feeds" in imported.stdout
    assert exported.returncode == 0, exported.stderr
    assert read_opml(exported.stdout.encode()) == read_opml(original)
    # The tree is the corpus's own group / site / feed, with its URLs.
    config = load_config(tmp_path / "rsspress.yaml")
    assert {(f.categories, f.url) for f in config.feeds} == {
        (tuple(f["category"]), f["url"]) for f in corpus_feeds(corpus_s)
    }
    again = run_cli("import", str(corpus_s / "feeds.opml"), cwd=tmp_path)
    assert "imported 0 feeds" in again.stdout and "100 were already there" in again.stdout


def test_import_keeps_the_configs_comments_and_feeds(tmp_path: Path) -> None:
    config = tmp_path / "rsspress.yaml"
    config.write_text(
        "# my mirror\noutput: {dir: posts, profile: compat}  # keep this\n"
        "feeds:\n  新媒体:\n    ZAKER:\n      channel: rsshub:/zaker/channel/13  # the first one\n",
        encoding="utf-8",
    )
    (tmp_path / "in.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="新媒体"><outline text="ZAKER">'
        '<outline text="channel" xmlUrl="https://elsewhere.example/zaker.xml"/>'
        '<outline text="科技" xmlUrl="https://rsshub.app/zaker/channel/13?x=1"/></outline></outline>'
        '<outline text="编程"><outline text="掘金 前端" xmlUrl="https://rsshub.app/juejin/category/frontend" type="json"/></outline>'
        '<outline text="Hacker News" xmlUrl="https://news.ycombinator.com/rss"/>'
        '<outline text="a"><outline text="b"><outline text="c"><outline text="deep" xmlUrl="https://d.example/f"/></outline></outline></outline>'
        "</body></opml>",
        encoding="utf-8",
    )
    result = run_cli("import", "in.opml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported 4 feeds" in result.stdout and "1 were already there" in result.stdout
    text = config.read_text(encoding="utf-8")
    assert "# my mirror" in text and "# keep this" in text and "# the first one" in text
    feeds = {f.categories: f for f in load_config(config).feeds}
    assert feeds[("新媒体", "ZAKER", "channel")].url == "https://rsshub.app/zaker/channel/13"
    assert feeds[("新媒体", "ZAKER", "科技")].url == "https://rsshub.app/zaker/channel/13?x=1"
    assert feeds[("编程", "掘金 前端", "掘金 前端")].kind == "json"  # one folder: its own site
    assert (UNGROUPED, "Hacker News", "Hacker News") in feeds  # no folder
    assert ("a", "b / c", "deep") in feeds  # deeper folders join the site's name


def test_a_broken_opml_is_refused_and_the_config_untouched(tmp_path: Path) -> None:
    (tmp_path / "bad.opml").write_text("<opml><body><outline", encoding="utf-8")
    result = run_cli("import", "bad.opml", cwd=tmp_path)
    assert result.returncode == 2 and "not an OPML file" in result.stderr
    assert not (tmp_path / "rsspress.yaml").exists()
