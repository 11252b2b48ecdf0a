"""What the command line says when something is wrong: whole lines, every word, plain words.

Messages go through the real CLI with no terminal and no COLUMNS (as cron, systemd and CI
run it), where rich used to wrap at 80 columns and to eat words in brackets as markup.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import write_config
from rsspress.config_messages import did_you_mean, yaml_problem


def cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The real CLI as a pipe sees it: no terminal, no COLUMNS, colour as it comes."""
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "rsspress", *args], cwd=cwd, env={**environ, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_an_unknown_key_suggests_the_closest_known_one_on_one_line(tmp_path: Path) -> None:
    (tmp_path / "rsspress.yaml").write_text(
        "imgaes:\n  proxy: x\nfeeds: {g: {s: {f: http://127.0.0.1:9/}}}\n", "utf-8"
    )
    result = cli("run", cwd=tmp_path)
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "\n" not in message, message  # longer than 80 columns, and not wrapped
    assert len(message) > 100
    assert message.endswith(
        "rsspress.yaml:1: imgaes: a known key (did you mean `images`?); one of: output,"
        " state, images, rsshub, fetch, content, retention, daemon, feeds"
    )


@pytest.mark.parametrize(
    ("name", "known", "said"),
    [
        ("imgaes", ("output", "images", "feeds"), " (did you mean `images`?)"),
        ("proxy_bse", ("proxy", "proxy_base", "proxy_key"), " (did you mean `proxy_base`?)"),
        ("feed", ("output", "feeds"), " (did you mean `feeds`?)"),
        ("colour", ("output", "feeds"), ""),  # nothing close: no guess
    ],
)
def test_did_you_mean(name: str, known: tuple[str, ...], said: str) -> None:
    assert did_you_mean(name, known) == said


def test_words_in_brackets_are_printed_not_taken_for_markup(tmp_path: Path) -> None:
    # The PostgreSQL driver is missing: Python finds a psycopg that cannot be imported.
    blocked = tmp_path / "no-psycopg" / "psycopg"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text("raise ImportError('not installed')\n", "utf-8")
    write_config(tmp_path, "g:\n  s:\n    f: http://127.0.0.1:9/\n",
                 state="postgresql://127.0.0.1:9/news")  # fmt: skip
    result = cli("run", cwd=tmp_path, PYTHONPATH=str(blocked.parent))
    assert result.returncode == 2
    assert "install it with: pip install 'rsspress[postgresql]'" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one line, not wrapped


def test_feed_names_in_brackets_show_in_status(tmp_path: Path) -> None:
    write_config(tmp_path, "'[red]组[/red]':\n  '[b]站[/b]':\n    '[i]源':  missing.xml\n")
    assert cli("run", cwd=tmp_path).returncode == 3
    result = cli("status", cwd=tmp_path, COLUMNS="200")
    assert result.returncode == 0, result.stderr
    assert "[red]组[/red] / [b]站[/b] / [i]源" in result.stdout


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("output: {dir: posts\nfeeds: {}\n", 2, "the { … } begun on line 1 is not closed"),
        ("feeds:\n  g: [oops\n", 3, "the [ … ] begun on line 2 is not closed"),
        ("feeds:\n  g:\n\ts: x\n", 3, "a tab; YAML indents with spaces only"),
        ('feeds:\n  g:\n    s:\n      f: "x.xml\n', 4, "quoted value begun on this line"),
        ("feeds:\n  g:\n    s:\n      f: x\n   h: y\n", 5, "indented differently"),
        ("feeds:\n  g:\n    s: x\n    - y\n", 4, "a list item (- …) among the key: value"),
        ("feeds:\n  g:\n    s:\n      f: a: b\n", 4, "a value holding ': ' needs quotes"),
        ("feeds: *nope\n", 1, "*nope names no &nope anchor"),
        ("feeds:\n  g: @x\n", 2, "a value cannot begin with @: put the value in quotes"),
        ('feeds: {g: {s: {f: "a\\qb"}}}\n', 1, "\\q is no escape YAML knows"),
        ("a: 1\n---\nb: 2\n", 2, "a second document"),
    ],
)
def test_yaml_syntax_errors_in_plain_words(text: str, line: int, said: str) -> None:
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        yaml.compose(text, Loader=yaml.SafeLoader)
    where, words = yaml_problem(caught.value)
    assert where == line and said in words, words
    assert "<" not in words and "scalar" not in words  # no parser token names


def test_a_yaml_error_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "rsspress.yaml").write_text(
        "feeds:\n  新媒体:\n    ZAKER:\n      channel: rsshub:/zaker\n     cnBeta: x\n", "utf-8"
    )
    result = cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "rsspress.yaml:5: yaml: valid YAML; this line is indented differently from the lines"
        " above it (from line 3): the keys of one mapping line up, each with the same number"
        " of spaces"
    )
    assert "Traceback" not in result.stderr and "block" not in result.stderr


@pytest.mark.parametrize(
    ("feeds", "key", "holds"),
    [
        ("  新媒体:\n    ZAKER: rsshub:/zaker/channel/13\n", "feeds.新媒体.ZAKER", "a single value"),
        ("  新媒体: rsshub:/zaker/channel/13\n", "feeds.新媒体", "a single value"),
        ("  新媒体:\n    ZAKER: {url: rsshub:/zaker, fulltext: true}\n", "feeds.新媒体.ZAKER",
         "a feed's options (url: …)"),
        ("  新媒体:\n    ZAKER: [a, b]\n", "feeds.新媒体.ZAKER", "a list"),
    ],
)  # fmt: skip
def test_a_feed_tree_missing_a_level_says_what_the_three_levels_are(
    tmp_path: Path, feeds: str, key: str, holds: str
) -> None:
    (tmp_path / "rsspress.yaml").write_text("feeds:\n" + feeds, "utf-8")
    result = cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert f"{key}: a mapping of" in result.stderr and f"but it holds {holds}" in result.stderr
    assert "three levels, group → site → feed name: URL" in result.stderr
    assert "channel: rsshub:/zaker/channel/13   # feed name: URL" in result.stderr  # the example
