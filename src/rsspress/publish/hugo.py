"""Render Hugo content files. Pure: the text of a post from typed values, no I/O.

The post is an ``.html`` content file: Hugo takes its body as HTML as it is
(a ``.md`` file would go through Goldmark, which drops raw HTML by default).
Hugo still reads shortcodes (``{{< >}}``, ``{{% %}}``) in any content file;
the body's braces are already entities (content.escape_braces), and the
front matter holds only single-quoted one-line strings.

This module is the Hugo :class:`~rsspress.publish.formats.PostFormat`
(:func:`file_name`, :func:`render`).
"""

from __future__ import annotations

import datetime as dt

from rsspress.model import Profile
from rsspress.publish.post import Post, front_matter_title, yaml_quoted
from rsspress.urls import web_link


def render(post: Post, profile: Profile) -> str:
    """PostFormat: one layout whatever the profile (compat is Hexo's alone)."""
    return render_hugo(post)


def file_name(post_id: str, when: dt.datetime) -> str:
    """PostFormat: Hugo names a post by its id alone."""
    return hugo_filename(post_id)


def render_hugo(post: Post) -> str:
    group, site, feed = (yaml_quoted(c) for c in post.categories)
    lines = [
        "---",
        f"title: {yaml_quoted(front_matter_title(post.title))}",
        f"date: {yaml_quoted(hugo_date(post.when))}",
        "categories:",
        f"  - {group}",
        f"  - {site}",
        f"  - {feed}",
        f"author: {yaml_quoted(post.author)}",
    ]
    if post.image:
        # `images` is what Hugo's own opengraph and twitter_cards templates read.
        lines += ["images:", f"  - {yaml_quoted(post.image)}"]
    original = web_link(post.link)  # a theme may make it a link: never javascript:
    if original:
        lines.append(f"original: {yaml_quoted(original)}")
    lines += ["---", "", "<div>", post.body, "</div>", ""]
    return "\n".join(lines)


def hugo_date(when: dt.datetime) -> str:
    """ISO 8601 with the item's offset, or in UTC when that offset has seconds.

    Hugo 0.111 cannot read an offset such as ``+05:45:30`` and silently gives
    the post no date at all (0001-01-01); the same instant in UTC it reads.
    """
    offset = when.utcoffset()
    if offset is not None and offset % dt.timedelta(minutes=1):
        when = when.astimezone(dt.UTC)
    return when.isoformat()


def hugo_filename(post_id: str) -> str:
    return post_id[:16] + ".html"


# Hugo 0.162 and newer refuse .html content files (text/html) unless the site's
# security.allowContent allows them; older releases ignore the setting. This allows
# them and keeps Hugo's other default refusal (Org files) as it is.
SITE_CONFIG_TOML = """\
[security]
  allowContent = ['! ^text/org$']
"""


def site_config_note() -> str:
    """What a Hugo site needs in its own config before it builds rsspress's posts."""
    return (
        "Hugo 0.162 and newer refuse the .html posts rsspress writes unless the site allows\n"
        "them: add this to your Hugo site's hugo.toml (older Hugo ignores it):\n\n"
        + SITE_CONFIG_TOML
        + "\nor, in a hugo.yaml:  security: {allowContent: ['! ^text/org$']}"
    )
