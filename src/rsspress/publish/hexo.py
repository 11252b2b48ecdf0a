"""Render Hexo posts. Pure: the text of a post from typed values, no I/O.

The rules come from spec/hexo-posts.md (measured with real Hexo 8): titles
single-quoted on one line without control characters, dates with an explicit
offset, bodies that neither Nunjucks nor Markdown can change.

This module is the Hexo :class:`~rsspress.publish.formats.PostFormat`
(:func:`file_name`, :func:`render`).
"""

from __future__ import annotations

import datetime as dt
import email.utils

from rsspress.model import Profile
from rsspress.publish.post import Post, front_matter_title, one_line, yaml_quoted, yaml_scalar


def compat_date(post: Post) -> str:
    """The date as the feed wrote it, when Hexo reads that text right.

    Hexo reads RFC 822 dates with ``GMT`` or a numeric offset correctly; any
    other spelling (ISO, named zones, a wrong weekday) is rewritten as RFC 822
    so the post keeps its real date on any machine.
    """
    when = post.when
    if when.utcoffset() == dt.timedelta(0):
        rebuilt = email.utils.format_datetime(when.astimezone(dt.UTC), usegmt=True)
    else:
        rebuilt = email.utils.format_datetime(when)
    if post.date is not None and post.date_text is not None:
        text = one_line(post.date_text)
        if text in (rebuilt, rebuilt.replace(" GMT", " +0000")):
            return text
    return rebuilt


def iso_date(post: Post) -> str:
    when = post.when
    return yaml_quoted(when.isoformat())


def render_compat(post: Post) -> str:
    """The reference site's post, byte for byte (spec: "The reference shape")."""
    group, site, feed = (yaml_scalar(c) for c in post.categories)
    cover = yaml_quoted(post.cover)
    return (
        "\n---\n"
        f"title: {yaml_quoted(front_matter_title(post.title))}\n"
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


def render_default(post: Post) -> str:
    """The same keys, cleanly laid out, with a date that carries its offset."""
    group, site, feed = (yaml_scalar(c) for c in post.categories)
    cover = yaml_quoted(post.cover)
    return (
        "---\n"
        f"title: {yaml_quoted(front_matter_title(post.title))}\n"
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


def render(post: Post, profile: Profile) -> str:
    """PostFormat: the reference's bytes (compat), or the clean layout (default)."""
    return render_compat(post) if profile == Profile.COMPAT else render_default(post)


def file_name(post_id: str, when: dt.datetime) -> str:
    """PostFormat: Hexo names a post by its id alone."""
    return post_filename(post_id)


def post_filename(post_id: str) -> str:
    """Stable, unique and safe (hex only): no leading _ or ., no # ? %, 19 bytes."""
    return post_id[:16] + ".md"
