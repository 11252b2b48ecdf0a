"""Turn an item's HTML into a post body: images, covers, Hexo safety. Pure: no I/O.

Two profiles:

* ``compat`` reproduces the reference site: the feed's HTML is kept byte for
  byte except that ``src`` of ``http://`` images goes through the proxy,
  ``referrerpolicy="no-referrer"`` is added where missing and ``{``/``}`` are
  escaped. It works on the ``<img>`` tags only, as the reference did, so
  nothing else in the markup moves.
* ``default`` parses the HTML (lexbor, through selectolax), repairs lazy
  images, resolves relative URLs, proxies images, sanitizes the result (nh3,
  last, so nothing an earlier step adds escapes it), and then makes the body
  safe from Hexo's Nunjucks and Markdown passes (see spec/hexo-posts.md).
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from rsspress.config import CleanupRule, ContentConfig, ImagesConfig
from rsspress.content.budget import parse_body
from rsspress.content.images import (
    LAZY_IMAGE_ATTRS,
    cover_worthy,
    placeholder,
    proxied,
    real_image_url,
)
from rsspress.content.rules import NO_RULE, apply_rule
from rsspress.content.sanitize import frame_hosts, frame_source, sanitize, srcset_urls
from rsspress.model import Profile
from rsspress.urls import absolute, url_scheme


@dataclass(frozen=True)
class PreparedBody:
    html: str  # ready to place in a post: proxied, escaped, Markdown-safe
    cover: str  # the cover image URL (proxied) or the placeholder
    image: str | None = None  # the cover when the item has a real image (never the placeholder)


_WHITE_SPACE = re.compile(r"\s+")


def summary_of(html: str, limit: int = 200) -> str:
    """The first ``limit`` characters of a body's text, on one line."""
    tree = LexborHTMLParser("<body>" + html)
    text = tree.body.text(separator=" ") if tree.body is not None else ""
    text = _WHITE_SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape_braces(text: str) -> str:
    """Keep Hexo's Nunjucks pass from reading ``{{``, ``{%`` or ``{#`` in a body."""
    return text.replace("{", "&#123;").replace("}", "&#125;")


def prepare_body(
    html: str,
    *,
    base_url: str | None,
    images: ImagesConfig,
    profile: Profile,
    placeholder_n: int,
    content: ContentConfig | None = None,
    rule: CleanupRule = NO_RULE,
    media_images: tuple[str, ...] = (),
) -> PreparedBody:
    """Prepare an item's HTML. The default profile's order (as Miniflux does it):
    cleanup rule → image rewriting and lazy-image repair → sanitizer, last."""
    if profile == Profile.COMPAT:
        return _prepare_compat(html, images, placeholder_n)
    return _prepare_default(
        html, base_url, images, placeholder_n, content or ContentConfig(), rule, media_images
    )


# -- compat ------------------------------------------------------------------

_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# An attribute: the lookbehind makes sure ``src`` is not the tail of ``data-src``.
_ATTR = re.compile(
    r"""(?<=[\s"'])(?P<name>[^\s=/>"']+)(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<uq>[^\s>"']+)))?""",
    re.IGNORECASE,
)
_BLANK_LINE = re.compile(r"\n[ \t\r\f]*(?=\n)")


def _prepare_compat(html: str, images: ImagesConfig, placeholder_n: int) -> PreparedBody:
    cover: str | None = None

    def rewrite(match: re.Match[str]) -> str:
        nonlocal cover
        tag = match.group(0)
        attrs = {m.group("name").lower(): m for m in _ATTR.finditer(tag, 4)}
        if cover is None:
            for name in ("src", *LAZY_IMAGE_ATTRS):
                value = _attr_value(attrs.get(name))
                if value and url_scheme(value) in ("http", "https"):
                    cover = proxied(value, images)
                    break
        src = attrs.get("src")
        if src is not None:
            group = next((g for g in ("dq", "sq", "uq") if src.group(g) is not None), None)
            if group is not None:
                # the URL keeps its own spelling (entities and all) inside the proxy URL
                start, end = src.span(group)
                tag = tag[:start] + proxied(tag[start:end], images) + tag[end:]
        if "referrerpolicy" not in attrs:
            close = len(tag) - (2 if tag.endswith("/>") else 1)
            tag = tag[:close].rstrip() + ' referrerpolicy="no-referrer"' + tag[close:]
        return tag

    # Only up to the last ">": past it no tag can end, and searching there anyway
    # cost a scan to the end from every "<img" (quadratic on "<img <img <img …").
    tags_end = html.rfind(">") + 1
    body = _IMG_TAG.sub(rewrite, html[:tags_end]) + html[tags_end:]
    # A blank line would end Hexo's HTML block and turn what follows into
    # Markdown; the reference's own bodies never held one.
    body = _BLANK_LINE.sub("", body)
    return PreparedBody(
        html=escape_braces(body),
        cover=cover if cover is not None else placeholder(images, placeholder_n),
        image=cover,
    )


def _attr_value(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    for group in ("dq", "sq", "uq"):
        value = match.group(group)
        if value is not None:
            return html_lib.unescape(value).strip()
    return None


# -- default -----------------------------------------------------------------


def _prepare_default(
    html: str,
    base_url: str | None,
    images: ImagesConfig,
    placeholder_n: int,
    content: ContentConfig,
    rule: CleanupRule,
    media_images: tuple[str, ...],
) -> PreparedBody:
    tree = apply_rule(parse_body(html), rule)
    body = tree.body
    if body is None:
        return PreparedBody(html="", cover=placeholder(images, placeholder_n))
    # The cover: the feed's own image for the item, else the first real body image.
    cover = next((proxied(url, images) for url in media_images if cover_worthy(url, {})), None)
    for img in body.css("img"):
        attrs = img.attrs
        values = dict(attrs.items())
        url = real_image_url(values, base_url, rule.lazy_attrs)
        if url is None:
            continue
        if cover is None and cover_worthy(url, values):
            cover = proxied(url, images)
        attrs["src"] = proxied(url, images)
        if "referrerpolicy" not in attrs:
            attrs["referrerpolicy"] = "no-referrer"
    for node in body.css("img[srcset], source[srcset]"):
        node.attrs["srcset"] = ", ".join(
            f"{proxied(absolute(url, base_url), images)} {descriptor}".strip()
            for url, descriptor in srcset_urls(node.attrs.get("srcset") or "")
        )
    if base_url:
        for link in body.css("a[href]"):
            href = link.attrs.get("href")
            if href and not url_scheme(href):
                link.attrs["href"] = absolute(href, base_url)
    hosts = frame_hosts(content.iframe_hosts)
    for frame in body.css("iframe"):
        # Resolved (//www.youtube.com/… against the item's link) and normalised as a
        # browser does: the sanitizer then judges and keeps exactly that URL.
        source = frame_source(frame.attrs.get("src") or "", hosts, base_url)
        if source is None:
            frame.decompose()  # an empty frame would be left otherwise
        else:
            frame.attrs["src"] = source
    clean = sanitize(body.inner_html or "", content.iframe_hosts, rule.keep_style)
    return PreparedBody(
        html=escape_braces(_markdown_safe(clean)),
        cover=cover if cover is not None else placeholder(images, placeholder_n),
        image=cover,
    )


_VERBATIM_OPEN = re.compile(r"<(pre|textarea)\b", re.IGNORECASE)
_VERBATIM_CLOSE = {
    "pre": re.compile(r"</pre>", re.IGNORECASE),
    "textarea": re.compile(r"</textarea>", re.IGNORECASE),
}
# A run of white space holding a newline, matched from its first character only and
# without backtracking: ``\s*\n\s*`` took minutes on 300,000 spaces and a newline.
_NEWLINE_RUN = re.compile(r"(?<!\s)[^\S\n]*+\n\s*+")


def _markdown_safe(markup: str) -> str:
    """No blank line and no indented line, so Markdown leaves the HTML block alone.

    Outside ``<pre>`` and ``<textarea>`` a newline with its surrounding white
    space is the same white space as one newline. Inside them every newline
    matters, so it becomes ``&#10;``, which the browser shows the same way.
    """
    if "\n" not in markup:
        return markup.strip()
    out: list[str] = []
    position = 0
    for start, end in _verbatim_blocks(markup):
        out.append(_NEWLINE_RUN.sub("\n", markup[position:start]))
        out.append(markup[start:end].replace("\r\n", "\n").replace("\n", "&#10;"))
        position = end
    out.append(_NEWLINE_RUN.sub("\n", markup[position:]))
    return "".join(out).strip()


def _verbatim_blocks(markup: str) -> list[tuple[int, int]]:
    r"""The spans of ``<pre …>…</pre>`` and ``<textarea …>…</textarea>``, in order.

    What ``<(pre|textarea)\b[^>]*>.*?</\2>`` finds, in linear time: that regex
    searched to the end again from every ``<pre`` without a ``</pre>`` after it.
    Once a closing tag is missing it is missing for every later opening too.
    """
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    position = 0
    while (opening := _VERBATIM_OPEN.search(markup, position)) is not None:
        name = opening.group(1).lower()
        position = opening.end()
        if name in unclosed:
            continue
        tag_end = markup.find(">", position)
        if tag_end < 0:
            break  # no later opening tag ends either
        closing = _VERBATIM_CLOSE[name].search(markup, tag_end + 1)
        if closing is None:
            unclosed.add(name)
            continue
        spans.append((opening.start(), closing.end()))
        position = closing.end()
    return spans
