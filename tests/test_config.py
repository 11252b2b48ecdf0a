"""Config: the documented shape loads; every error names file, line, key and expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, run_cli
from rsspress.config import ConfigError, load_config, parse_config

ISSUE_SHAPE = """\
output: {dir: posts, format: hexo, profile: compat}     # profile: compat | default
state: state.db                   # SQLite file; relative paths are relative to this file
images:
  proxy: "https://cors.zfour.workers.dev/?{url}"        # {url}: the original URL
  rewrite: http                                         # http | all | none
  placeholder: "https://picsum.photos/400/300?random={n}"
rsshub: https://rsshub.app                              # base for rsshub:/route URLs
feeds:
  新媒体:                 # group   -> categories[0]
    ZAKER:                # site    -> categories[1] and author
      channel: rsshub:/zaker/channel/13   # feed name -> categories[2]
"""


def test_the_documented_shape_loads(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "rsspress.yaml"
    path.parent.mkdir()
    path.write_text(ISSUE_SHAPE, encoding="utf-8")

    config = load_config(path)

    assert config.outputs[0].dir == tmp_path / "conf" / "posts"
    assert config.outputs[0].profile == "compat"
    assert config.state == tmp_path / "conf" / "state.db"
    assert config.images.proxy == "https://cors.zfour.workers.dev/?{url}"
    assert config.images.rewrite == "http"
    (feed,) = config.feeds
    assert feed.categories == ("新媒体", "ZAKER", "channel")
    assert feed.url == "https://rsshub.app/zaker/channel/13"


def test_paths_and_file_urls_are_feed_urls(tmp_path: Path) -> None:
    text = "feeds:\n  g:\n    s:\n      a: feeds/a.xml\n      b: file:///srv/b.xml\n"
    config = parse_config(text, tmp_path / "rsspress.yaml")
    assert [f.url for f in config.feeds] == [
        (tmp_path / "feeds" / "a.xml").as_uri(),
        "file:///srv/b.xml",
    ]


@pytest.mark.parametrize(
    ("text", "line", "key", "expected"),
    [
        ("output: {profile: fancy}\nfeeds: {g: {s: {f: http://x/}}}\n", 1, "output.profile",
         "one of: compat, default"),
        ("feeds:\n  g:\n    s:\n      f: ftp://x/feed\n", 4, "feeds.g.s.f",
         "http, https, file or rsshub"),
        ("feeds:\n  g:\n    s:\n      f: rsshub:zaker\n", 4, "feeds.g.s.f", "RSSHub route"),
        ("feeds:\n  g:\n    s:\n      f: [a, b]\n", 4, "feeds.g.s.f", "a single value"),
        ("outptu: {dir: x}\nfeeds: {g: {s: {f: http://x/}}}\n", 1, "outptu", "a known key"),
        ("images:\n  proxy: https://p.example/\nfeeds: {g: {s: {f: http://x/}}}\n", 2,
         "images.proxy", "{url}"),
        ("fetch:\n  per_host: -1\nfeeds: {g: {s: {f: http://x/}}}\n", 2, "fetch.per_host",
         "positive whole number"),
        ("feeds:\n  g:\n    s:\n      f: http://x/a\n      f: http://x/b\n", 5, "feeds.g.s.f",
         "given twice"),
        ("state: db\n", 1, "feeds", "feeds:"),
        ("feeds:\n  g: [oops\n", 3, "yaml", "valid YAML"),
    ],
)  # fmt: skip
def test_errors_name_file_line_key_and_expectation(
    tmp_path: Path, text: str, line: int, key: str, expected: str
) -> None:
    path = tmp_path / "rsspress.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert (error.file, error.line, error.key) == (str(path), line, key)
    assert expected in error.expected
    assert str(error).startswith(f"{path}:{line}: {key}: ")


def test_a_bad_config_exits_2_and_runs_nothing(tmp_path: Path) -> None:
    (tmp_path / "rsspress.yaml").write_text(
        "output: {profile: fancy}\nstate: state.db\nfeeds: {g: {s: {f: http://127.0.0.1:9/}}}\n",
        encoding="utf-8",
    )
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "rsspress.yaml:1: output.profile: one of: compat, default" in result.stderr
    assert not (tmp_path / "state.db").exists()
    assert not (tmp_path / "posts").exists()


def test_missing_config_says_how_to_make_one(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "rsspress init" in result.stderr


def test_init_writes_a_commented_example_that_loads(tmp_path: Path) -> None:
    result = run_cli("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "rsspress.yaml").read_text(encoding="utf-8")
    assert text.count("#") > 10
    config = load_config(tmp_path / "rsspress.yaml")
    assert config.feeds[0].categories == ("新媒体", "ZAKER", "channel")
    again = run_cli("init", cwd=tmp_path)
    assert again.returncode == 2 and "--force" in again.stderr


@pytest.mark.parametrize("example", ["offline", "rsshub"])
def test_bundled_examples_load(example: str) -> None:
    config = load_config(REPO / "examples" / example / "rsspress.yaml")
    assert len(config.feeds) >= 4


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert run_cli("run", "--no-such-flag", cwd=tmp_path).returncode == 2


@pytest.mark.parametrize(
    ("fmt", "folder"),
    [("hexo", "posts"), ("hugo", "content/posts"), ("jekyll", "_posts"), ("html", "site")],
)
def test_init_format_writes_that_output_in_its_usual_folder(
    tmp_path: Path, fmt: str, folder: str
) -> None:
    result = run_cli("init", "--format", fmt, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (output,) = load_config(tmp_path / "rsspress.yaml").outputs
    assert (output.format, output.dir) == (fmt, tmp_path / folder)
    # Hugo 0.162+ needs the site's [security] setting: said for a Hugo output only.
    assert ("allowContent = ['! ^text/org$']" in result.stdout) == (fmt == "hugo")


@pytest.mark.parametrize(
    ("text", "default", "feed"),
    [
        ("feeds: {g: {s: {f: http://x/}}}\n", 200, None),
        ("fetch: {max_new_items: 50}\nfeeds: {g: {s: {f: http://x/}}}\n", 50, None),
        ("feeds: {g: {s: {f: {url: http://x/, max_new_items: 5000}}}}\n", 200, 5000),
    ],
)
def test_the_cap_on_new_items_per_fetch(text: str, default: int, feed: int | None) -> None:
    config = parse_config(text, Path("/srv/rsspress.yaml"))
    assert (config.fetch.max_new_items, config.feeds[0].max_new_items) == (default, feed)


@pytest.mark.parametrize(
    "text",
    [
        "fetch: {max_new_items: 0}\nfeeds: {g: {s: {f: http://x/}}}\n",
        "feeds: {g: {s: {f: {url: http://x/, max_new_items: many}}}}\n",
    ],
)
def test_a_cap_must_be_a_positive_whole_number(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/srv/rsspress.yaml"))
    assert caught.value.key.endswith("max_new_items")
    assert "positive whole number" in caught.value.expected
