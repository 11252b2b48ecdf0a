"""publish.hexo: front matter that js-yaml reads back exactly, dates Hexo reads right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from rsspress.atomic import write_atomic
from rsspress.publish.hexo import compat_date, post_filename, render_compat, render_default
from rsspress.publish.post import Post, plain_title, yaml_quoted, yaml_scalar

NASTY = '- > @ It\'s "C:\\path" \x08\x7f\x85 a\nb: c #d {{x}} [e] *f* &g'
FALLBACK = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def post(**changes: object) -> Post:
    values: dict[str, object] = {
        "title": "标题",
        "categories": ("新媒体", "ZAKER", "channel"),
        "author": "ZAKER",
        "date_text": "Sun, 28 Nov 2021 01:19:00 GMT",
        "date": dt.datetime(2021, 11, 28, 1, 19, tzinfo=dt.UTC),
        "fallback_date": FALLBACK,
        "cover": "https://p.example/?http://i.example/it's.jpg",
        "body": "<p>x</p>",
    }
    values.update(changes)
    return Post(**values)  # type: ignore[arg-type]


def front_matter(text: str) -> dict[str, object]:
    loaded = yaml.safe_load(text.strip().split("---")[1])
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize(
    "title",
    [
        NASTY,
        "It's 小米's day",
        "王腾: 小米",
        "- 标题",
        "true",
        "123",
        "a\u2028b \U0001f600",
        "{{ x }}",
    ],
)
def test_titles_survive_yaml_as_one_clean_line(title: str) -> None:
    loaded = yaml.safe_load("title: " + yaml_quoted(plain_title(title)))["title"]
    assert isinstance(loaded, str)
    assert "\n" not in loaded and "\x08" not in loaded and "\x7f" not in loaded
    assert loaded == loaded.strip()
    if title == "It's 小米's day":
        assert loaded == title


def test_titles_are_plain_text() -> None:
    assert plain_title("<b>小米</b> &amp; Redmi&nbsp;&lt;3") == "小米 & Redmi\xa0<3"


@pytest.mark.parametrize("name", ["新媒体", "ZAKER", "IT之家", "36氪", "ZAKER - 科技频道", "it's"])
def test_safe_names_stay_plain(name: str) -> None:
    assert yaml_scalar(name) == name


@pytest.mark.parametrize("name", ["C#", "yes", "a: b", "- x", "13", "null", "[x]", "'q'"])
def test_risky_names_are_quoted_and_read_back(name: str) -> None:
    assert yaml_scalar(name).startswith("'")
    assert yaml.safe_load("k: " + yaml_scalar(name))["k"] == name


@pytest.mark.parametrize(
    ("text", "date", "expected"),
    [
        ("Sun, 28 Nov 2021 01:19:00 GMT", "2021-11-28T01:19:00+00:00", "Sun, 28 Nov 2021 01:19:00 GMT"),
        ("Sun, 28 Nov 2021 09:19:00 +0800", "2021-11-28T09:19:00+08:00", "Sun, 28 Nov 2021 09:19:00 +0800"),
        ("2021-11-28T01:19:00Z", "2021-11-28T01:19:00+00:00", "Sun, 28 Nov 2021 01:19:00 GMT"),
        ("Mon, 28 Nov 2021 01:19:00 GMT", "2021-11-28T01:19:00+00:00", "Sun, 28 Nov 2021 01:19:00 GMT"),
        ("Sun, 28 Nov 2021 01:19:00 CST", "2021-11-28T07:19:00+00:00", "Sun, 28 Nov 2021 07:19:00 GMT"),
        (None, None, "Wed, 25 Nov 2026 12:00:00 GMT"),
    ],
)  # fmt: skip
def test_compat_dates_keep_the_feeds_text_only_when_hexo_reads_it_right(
    text: str | None, date: str | None, expected: str
) -> None:
    when = dt.datetime.fromisoformat(date) if date else None
    assert compat_date(post(date_text=text, date=when)) == expected


def test_both_profiles_have_the_same_keys_and_valid_front_matter() -> None:
    hostile = post(title=NASTY, categories=("C#", "yes", "a: b"), author="yes")
    compat, default = front_matter(render_compat(hostile)), front_matter(render_default(hostile))
    keys = ["title", "categories", "headimg", "author", "comments", "date", "thumbnail"]
    assert list(compat) == list(default) == keys
    assert compat["categories"] == default["categories"] == ["C#", "yes", "a: b"]
    assert compat["author"] == default["author"] == "yes"
    assert (
        compat["headimg"] == compat["thumbnail"] == "https://p.example/?http://i.example/it's.jpg"
    )
    assert default["date"] == "2021-11-28T01:19:00+00:00"  # quoted: Hexo parses it, not YAML


def test_default_date_is_quoted_iso_with_its_offset() -> None:
    when = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert "\ndate: '2026-11-20T09:30:00+08:00'\n" in render_default(post(date=when))
    assert "\ndate: '2026-11-25T12:00:00+00:00'\n" in render_default(post(date=None))


def test_post_filenames_are_safe_for_hexo() -> None:
    name = post_filename("ab" * 32)
    assert name == "abababababababab.md"
    assert not name.startswith(("_", ".")) and not set("#?%/\\ ") & set(name)


def test_write_atomic_replaces_whole_files_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]
