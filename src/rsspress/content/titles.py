"""The title a reader sees: the feed's own, or one made from the item's text. Pure.

Titles travel as HTML (entities and tags allowed) and every output shows them
as plain text (:func:`rsspress.publish.post.plain_title`). A feed's title is
HTML when it looks like HTML, as feedparser judges it (a closing tag or an
entity: ``&lt;b&gt;`` double-escaped in the feed is the text ``<b>``);
otherwise it is text, and ``Vec<T>`` stays ``Vec<T>``.

Micro-blogs and bot feeds (Mastodon, Twitter or Telegram through RSSHub)
write items without a title. Such an item gets the start of its text: the
first sentence when it ends within the length, else the text cut at a word
(Latin) or at any character (CJK) with ``…``. The length is counted in
columns: 80 for Latin text, a CJK character counting as 8/3 (30 of them).
Links are left out. An item with no text at all (a photo) is named after its
feed and date.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata

from rsspress.content.budget import SMALL_BODY_CHARS, parse_body

# Columns in thirds: a Latin character is 3, a wide (CJK) one 8; 80 columns in all.
_NARROW, _WIDE, _BUDGET = 3, 8, 240
# What makes a title HTML for feedparser (its _looks_like_html): a closing tag or an entity.
_LOOKS_LIKE_HTML = re.compile(
    r"</[A-Za-z][\w:.-]*\s*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"
)
_BLOCK_END = re.compile(r"(?i)</(?:p|div|li|h[1-6]|blockquote|tr|td|pre|figcaption)\s*>|<br\s*/?>")
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_SENTENCE_END = frozenset(".!?。！？…")
_CLAUSE_END = frozenset(",;:，、；：")
_NOT_TEXT = ["script", "style", "template", "noscript"]


def readable_title(title: str, content_html: str, feed_name: str, when: dt.datetime) -> str:
    """The item's title as HTML: the feed's, or one made from its text (see module doc)."""
    if title.strip():
        return title if _LOOKS_LIKE_HTML.search(title) else html.escape(title, quote=False)
    made = title_from_text(body_text(content_html))
    if not made:
        made = f"{feed_name} {when:%Y-%m-%d %H:%M}"
    return html.escape(made, quote=False)


def body_text(content_html: str) -> str:
    """The text a reader sees first in a body (its first 16 KB), links left out.

    With no text at all, the first image's ``alt``.
    """
    head = _BLOCK_END.sub(lambda m: m.group() + " ", content_html[:SMALL_BODY_CHARS])
    tree = parse_body(head)
    body = tree.body
    if body is None:
        return ""
    tree.strip_tags(_NOT_TEXT)
    text = " ".join(body.text(separator="").split())
    without_links = " ".join(_LINK.sub(" ", text).split())
    if without_links:
        return without_links
    if text:
        return text
    image = body.css_first("img[alt]")
    return " ".join((image.attributes.get("alt") or "").split()) if image is not None else ""


def title_from_text(text: str) -> str:
    """The start of ``text``, at most 80 columns (30 CJK characters), cut where it reads well."""
    text = " ".join(text.split())
    end = _fitting(text)
    if end == len(text):
        return text
    # text[:end] fits. Prefer a sentence's end, then a clause's, in its second half;
    # a Latin word is not cut; CJK text may be cut anywhere.
    half = end // 2
    for marks in (_SENTENCE_END, _CLAUSE_END):
        cut = max(
            (i for i in range(half, end) if text[i] in marks and _ends_there(text, i)), default=-1
        )
        if cut >= 0:
            head = text[: cut + 1]
            return head if marks is _SENTENCE_END else head.rstrip("".join(_CLAUSE_END)) + "…"
    cut = end
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1  # keep an accent with its letter
    if _is_word_char(text[cut]) and _is_word_char(text[cut - 1]):
        space = text.rfind(" ", half, cut)
        if space > 0:
            cut = space
    return text[:cut].rstrip(" ,;:-–—，、；：") + "…"


def _fitting(text: str) -> int:
    """How many characters of ``text`` fit in 80 columns."""
    used = 0
    for index, char in enumerate(text):
        used += _WIDE if unicodedata.east_asian_width(char) in "WF" else _NARROW
        if used > _BUDGET:
            return index
    return len(text)


def _ends_there(text: str, i: int) -> bool:
    """A mark ends a sentence or clause at ``i``: CJK ones always, others before a space."""
    return i + 1 >= len(text) or text[i] in "。！？，、；：…" or text[i + 1] == " "


def _is_word_char(char: str) -> bool:
    """A character of a Latin-like word, which a cut must not split (CJK splits anywhere)."""
    return char.isalnum() and unicodedata.east_asian_width(char) not in "WF"
