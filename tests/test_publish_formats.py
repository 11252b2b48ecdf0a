"""publish.formats: the PostFormat registry. Every post format is one module and one entry;
each names and renders a sample post as its own module does."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable

import pytest

from rsspress.model import Format, Profile
from rsspress.publish import hexo
from rsspress.publish.formats import POST_FORMATS, post_file_name, post_format, render_post_text
from rsspress.publish.hexo import render_compat, render_default
from rsspress.publish.hugo import render_hugo
from rsspress.publish.jekyll import render_jekyll
from rsspress.publish.post import Post

PID = "0123456789abcdef" + "ab" * 24
CST = dt.timezone(dt.timedelta(hours=8))
SAMPLE = Post(
    title="标题 &lt;b&gt;",  # a double-escaped tag: full-width signs in every format
    categories=("新媒体", "ZAKER", "channel"),
    author="ZAKER",
    date_text="Sun, 28 Nov 2021 09:19:00 +0800",
    date=dt.datetime(2021, 11, 28, 9, 19, tzinfo=CST),
    fallback_date=dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC),
    cover="https://picsum.photos/400/300?random=7",
    body="<p>x</p>",
    post_id=PID,
    link="https://example.com/a",
    image="https://i.example/a.jpg",
)
# Every format but the HTML site, which is built whole from the state (publish.site).
POST_OUTPUTS = [fmt for fmt in Format if fmt is not Format.HTML]


def test_every_post_format_is_registered_and_nothing_else() -> None:
    assert set(POST_FORMATS) == set(POST_OUTPUTS)


@pytest.mark.parametrize("fmt", POST_OUTPUTS)
def test_each_format_is_the_module_of_its_name(fmt: Format) -> None:
    module = importlib.import_module(f"rsspress.publish.{fmt.value}")
    assert POST_FORMATS[fmt] is module
    assert post_format(fmt) is module


def test_html_is_not_a_post_format() -> None:
    with pytest.raises(KeyError):
        post_format(Format.HTML)


WHEN = dt.datetime(2025, 2, 19, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
NAMES = [
    (Format.HEXO, WHEN, "0123456789abcdef.md"),
    (Format.HUGO, WHEN, "0123456789abcdef.html"),
    (Format.JEKYLL, WHEN, "2025-02-19-0123456789abcdef.html"),  # the item's own day
    (Format.JEKYLL, dt.datetime(999, 1, 2, tzinfo=dt.UTC), "0999-01-02-0123456789abcdef.html"),
]


@pytest.mark.parametrize(("fmt", "when", "name"), NAMES)
def test_file_names(fmt: Format, when: dt.datetime, name: str) -> None:
    assert post_format(fmt).file_name(PID, when) == name
    assert post_file_name(fmt, PID, when) == name


RENDERS: list[tuple[Format, Profile, Callable[[Post], str], str]] = [
    (Format.HEXO, Profile.COMPAT, render_compat, "\n---\ntitle: '标题 ＜b＞'\ncategories: \n"),
    (Format.HEXO, Profile.DEFAULT, render_default, "---\ntitle: '标题 ＜b＞'\ncategories:\n"),
    (Format.HUGO, Profile.DEFAULT, render_hugo, "---\ntitle: '标题 ＜b＞'\ndate: "),
    (Format.JEKYLL, Profile.DEFAULT, render_jekyll, "---\nlayout: post\ntitle: '标题 ＜b＞'\n"),
]


@pytest.mark.parametrize(("fmt", "profile", "render", "start"), RENDERS)
def test_renders(fmt: Format, profile: Profile, render: Callable[[Post], str], start: str) -> None:
    text = post_format(fmt).render(SAMPLE, profile)
    assert text == render(SAMPLE)
    assert text.startswith(start)
    assert "<div>" in text and "<p>x</p>" in text
    assert render_post_text(fmt, profile, SAMPLE) == text


def test_the_registry_cannot_be_changed_by_a_caller() -> None:
    with pytest.raises(TypeError):
        POST_FORMATS[Format.HTML] = hexo  # type: ignore[index]
