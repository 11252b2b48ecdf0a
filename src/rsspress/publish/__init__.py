"""Publish items: one post file per item in each post output's format (Hexo, Hugo, Jekyll),
and the HTML site (:mod:`rsspress.publish.site`)."""

from __future__ import annotations

from rsspress.publish.formats import (
    POST_FORMATS,
    PostFormat,
    post_file_name,
    post_format,
    render_post_text,
)
from rsspress.publish.post import Post

__all__ = [
    "POST_FORMATS",
    "Post",
    "PostFormat",
    "post_file_name",
    "post_format",
    "render_post_text",
]
