"""Render Hexo posts. Pure: the text of a post from typed values, no I/O.

The rules come from spec/hexo-posts.md (measured with real Hexo 8): titles
single-quoted on one line without control characters, dates with an explicit
offset, bodies that neither Nunjucks nor Markdown can change.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import re
from dataclasses import dataclass

import yaml
from selectolax.lexbor import LexborHTMLParser

# Characters js-yaml refuses anywhere in front matter, even inside quotes.
_YAML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
# Line breaks YAML folds into a space inside quotes; we fold them ourselves.
_LINE_BREAKS = re.compile(r"\s*[\r\n\u0085\u2028\u2029]+\s*")


@dataclass(frozen=True)
class HexoPost:
    title: str  # as the feed gave it; may hold entities and tags
    categories: tuple[str, str, str]  # group, site, feed
    author: str
    date_text: str | None  # the feed's own spelling of the date
    date: dt.datetime | None  # the same date, parsed, with its offset
    fallback_date: dt.datetime  # when the item has no usable date: when it was first seen
    cover: str
    body: str  # prepared by rsspress.content


def plain_title(raw: str) -> str:
    """Titles are plain text: entities decoded, tags dropped, one line."""
    text = raw
    if "<" in text or "&" in text:
        tree = LexborHTMLParser("<body><p>" + text)
        text = tree.body.text() if tree.body is not None else text
    return _one_line(text)


def _one_line(text: str) -> str:
    text = _YAML_BAD.sub("", text)
    return _LINE_BREAKS.sub(" ", text).strip()


def yaml_quoted(text: str) -> str:
    """A single-quoted one-line YAML scalar (the reference's style)."""
    return "'" + _one_line(text).replace("'", "''") + "'"


_PLAIN_SAFE = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#]*")


@functools.lru_cache(maxsize=4096)
def yaml_scalar(text: str) -> str:
    """Plain when YAML reads it back as the same string, else single-quoted.

    The reference wrote categories and author plain (``- 新媒体``); a name such
    as ``C#``, ``yes`` or ``a: b`` needs quotes to stay a string.
    """
    clean = _one_line(text)
    if clean and clean == clean.strip() and _PLAIN_SAFE.fullmatch(clean):
        try:
            if yaml.safe_load(clean) == clean:
                return clean
        except yaml.YAMLError:
            pass
    return yaml_quoted(clean)


def compat_date(post: HexoPost) -> str:
    """The date as the feed wrote it, when Hexo reads that text right.

    Hexo reads RFC 822 dates with ``GMT`` or a numeric offset correctly; any
    other spelling (ISO, named zones, a wrong weekday) is rewritten as RFC 822
    so the post keeps its real date on any machine.
    """
    when = post.date or post.fallback_date
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if when.utcoffset() == dt.timedelta(0):
        rebuilt = email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)
    else:
        rebuilt = email.utils.format_datetime(when)
    if post.date is not None and post.date_text is not None:
        text = _one_line(post.date_text)
        if text in (rebuilt, rebuilt.replace(" GMT", " +0000")):
            return text
    return rebuilt


def iso_date(post: HexoPost) -> str:
    when = post.date or post.fallback_date
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return yaml_quoted(when.isoformat())


def render_compat(post: HexoPost) -> str:
    """The reference site's post, byte for byte (spec: "The reference shape")."""
    group, site, feed = (yaml_scalar(c) for c in post.categories)
    cover = yaml_quoted(post.cover)
    return (
        "\n---\n"
        f"title: {yaml_quoted(plain_title(post.title))}\n"
        "categories: \n"
        f" - {group}\n"
        f" - {site}\n"
        f" - {feed}\n"
        f"headimg: {cover}\n"
        f"author: {yaml_scalar(post.author)}\n"
        "comments: false\n"
        f"date: {compat_date(post)}\n"
        f"thumbnail: {cover}\n"
        "---\n"
        "\n"
        "<div>   \n"
        f"{post.body}  \n"
        "</div>\n"
        "            "
    )


def render_default(post: HexoPost) -> str:
    """The same keys, cleanly laid out, with a date that carries its offset."""
    group, site, feed = (yaml_scalar(c) for c in post.categories)
    cover = yaml_quoted(post.cover)
    return (
        "---\n"
        f"title: {yaml_quoted(plain_title(post.title))}\n"
        "categories:\n"
        f"  - {group}\n"
        f"  - {site}\n"
        f"  - {feed}\n"
        f"headimg: {cover}\n"
        f"author: {yaml_scalar(post.author)}\n"
        "comments: false\n"
        f"date: {iso_date(post)}\n"
        f"thumbnail: {cover}\n"
        "---\n"
        "\n"
        "<div>\n"
        f"{post.body}\n"
        "</div>\n"
    )


def render_post(post: HexoPost, profile: str) -> str:
    return render_compat(post) if profile == "compat" else render_default(post)


def post_filename(post_id: str) -> str:
    """Stable, unique and safe (hex only): no leading _ or ., no # ? %, 19 bytes."""
    return post_id[:16] + ".md"
