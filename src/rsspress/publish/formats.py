"""One post file per item, in the format of each post output: the PostFormat registry.

A format is one module (:mod:`~rsspress.publish.hexo`, :mod:`~rsspress.publish.hugo`,
:mod:`~rsspress.publish.jekyll`) holding the two functions of :class:`PostFormat`,
and one entry in :data:`POST_FORMATS`. ``html`` is not here: the HTML site is built
whole from the state (:mod:`rsspress.publish.site`), not one file per item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol

from rsspress.model import Format, Profile
from rsspress.publish import hexo, hugo, jekyll
from rsspress.publish.post import Post


class PostFormat(Protocol):
    """How a static site generator's posts are named and written. Pure: no I/O."""

    def file_name(self, post_id: str, when: dt.datetime) -> str:
        """The file an item's post has in an output of this format.

        ``when`` is the item's date (or when it was first seen): Jekyll puts the
        day in the name. Stable for an item, so a rerun overwrites, never adds.
        """
        ...

    def render(self, post: Post, profile: Profile) -> str:
        """The post file's text."""
        ...


POST_FORMATS: Mapping[Format, PostFormat] = MappingProxyType(
    {Format.HEXO: hexo, Format.HUGO: hugo, Format.JEKYLL: jekyll}
)


def post_format(fmt: Format) -> PostFormat:
    """The PostFormat of a post output (``fmt`` is not ``html``)."""
    return POST_FORMATS[fmt]


def post_file_name(fmt: Format, post_id: str, when: dt.datetime) -> str:
    """The file an item's post has in an output of this format (see PostFormat.file_name)."""
    return post_format(fmt).file_name(post_id, when)


def render_post_text(fmt: Format, profile: Profile, post: Post) -> str:
    return post_format(fmt).render(post, profile)
