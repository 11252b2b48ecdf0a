"""One post file per item, in the format of each post output (Hexo, Hugo, Jekyll)."""

from __future__ import annotations

import datetime as dt

from rsspress.publish.hexo import post_filename, render_hexo
from rsspress.publish.hugo import hugo_filename, render_hugo
from rsspress.publish.jekyll import jekyll_filename, render_jekyll
from rsspress.publish.post import Post


def post_file_name(fmt: str, post_id: str, when: dt.datetime) -> str:
    """The file an item's post has in an output of this format.

    ``when`` is the item's date (or when it was first seen): Jekyll puts the
    day in the name. Stable for an item, so a rerun overwrites, never adds.
    """
    if fmt == "hugo":
        return hugo_filename(post_id)
    if fmt == "jekyll":
        return jekyll_filename(post_id, when)
    return post_filename(post_id)


def render_post_text(fmt: str, profile: str, post: Post) -> str:
    if fmt == "hugo":
        return render_hugo(post)
    if fmt == "jekyll":
        return render_jekyll(post)
    return render_hexo(post, profile)
