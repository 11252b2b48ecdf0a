"""Render Jekyll posts. Pure: the text of a post from typed values, no I/O.

The post is an ``.html`` file in ``_posts``, named ``YYYY-MM-DD-<id>.html``
as Jekyll requires, so kramdown never touches the body. Jekyll renders
Liquid in every post; the body's braces are already entities
(content.escape_braces), so ``{{ }}`` and ``{% %}`` in an item stay text.
The permalink is fixed per post: Jekyll's default puts the categories into
the URL, and site names are not always URL-friendly.

This module is the Jekyll :class:`~rsspress.publish.formats.PostFormat`
(:func:`file_name`, :func:`render`).
"""

from __future__ import annotations

import datetime as dt

from rsspress.model import Profile
from rsspress.publish.post import Post, front_matter_title, yaml_quoted
from rsspress.urls import web_link


def render(post: Post, profile: Profile) -> str:
    """PostFormat: one layout whatever the profile (compat is Hexo's alone)."""
    return render_jekyll(post)


def file_name(post_id: str, when: dt.datetime) -> str:
    """PostFormat: Jekyll puts the day in the name, as it requires."""
    return jekyll_filename(post_id, when)


def render_jekyll(post: Post) -> str:
    group, site, feed = (yaml_quoted(c) for c in post.categories)
    lines = [
        "---",
        "layout: post",
        f"title: {yaml_quoted(front_matter_title(post.title))}",
        f"date: {_day(post.when)} {post.when.strftime('%H:%M:%S %z')}",
        "categories:",
        f"  - {group}",
        f"  - {site}",
        f"  - {feed}",
        f"author: {yaml_quoted(post.author)}",
        f"permalink: /posts/{post.post_id[:16]}/",
    ]
    if post.image:
        # `image` is what jekyll-seo-tag and most themes read.
        lines.append(f"image: {yaml_quoted(post.image)}")
    original = web_link(post.link)  # a theme may make it a link: never javascript:
    if original:
        lines.append(f"original: {yaml_quoted(original)}")
    lines += ["---", "", "<div>", post.body, "</div>", ""]
    return "\n".join(lines)


def jekyll_filename(post_id: str, when: dt.datetime) -> str:
    return f"{_day(when)}-{post_id[:16]}.html"


def _day(when: dt.datetime) -> str:
    """``YYYY-MM-DD`` with a four-digit year even before 1000 (``%Y`` gives ``1`` there).

    Feeds written by Go programs date undated items ``0001-01-01T00:00:00Z``;
    Jekyll silently skips a post file named ``1-01-01-….html``.
    """
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
