"""The per-item budget: whatever a feed writes, one item costs bounded, linear work.

Our own text passes are linear (no backtracking regexes). What is left is the
HTML parsers' own worst cases, measured on 400 KB bodies: lexbor and html5ever
(inside nh3) walk the stack of open elements on every tag, so 80,000 nested
``<div>`` or ``<ul><li>`` took 36 s and more (servo/html5ever#788), and lexbor
compares every attribute with all the others (50,000 attributes: 10 s). So:

* one-line fields (title, author, categories, the date's text) are cut to a
  length no real one reaches;
* a body longer than ``content.max_body_chars`` is not published at all: the
  item keeps its title, link and date and says, in place of its body, that it
  was too large. Half an article published as if whole would be worse;
* a body with many tags is parsed first by turbohtml, which is linear on these
  shapes and, as browsers do, stops nesting at 512 levels. Its serialization is
  what lexbor and nh3 then read: the tree a browser would build, never deep.
  Elements with absurdly many attributes keep only the ones rsspress reads.
  Markup that grows past a multiple of its size when parsed (the HTML
  standard's re-opening of formatting elements: 35 KB became 60 MB) is not
  published either, with the same note.

Bodies with few tags skip all this: they are cheap for any parser.
"""

from __future__ import annotations

import dataclasses
import functools
import html as html_lib
import re
from collections import Counter
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser

from rsspress.parse import FeedItem
from rsspress.urls import url_scheme

if TYPE_CHECKING:
    import turbohtml

MAX_LINE_CHARS = 2048  # a title, an author, a category, a date (real ones: under 300)
MAX_CATEGORIES = 256
DEFAULT_MAX_BODY_CHARS = 1_000_000  # content.max_body_chars
# A body this short with fewer "<" than this is cheap to parse whatever its shape:
# few elements, few attributes (lexbor's cost is quadratic in both).
SMALL_BODY_CHARS, FEW_TAGS = 16384, 256
MAX_ATTRIBUTES = 64  # per element; past it, only the attributes rsspress reads stay
# A parsed body may grow (closing tags, quotes, entities) but not past this.
GROWTH, GROWTH_SLACK = 8, 65536
# Formatting tags left open × tags, past which the parser's re-opening is refused.
MAX_REOPENING = 1 << 24

# What the content stage reads or the sanitizer keeps (see rsspress.content.sanitize).
_READ_ATTRIBUTES = frozenset(
    "id class title lang dir href src srcset sizes alt width height referrerpolicy loading"
    " poster type media cite datetime colspan rowspan headers scope span start reversed value"
    " data-original data-src data-actualsrc data-lazy-src data-lazyload data-echo".split()
)


class TooCostly(Exception):
    """The item's body would cost more than the budget; the message says why."""


def bounded_item(item: FeedItem, max_body_chars: int = DEFAULT_MAX_BODY_CHARS) -> FeedItem:
    """The item as rsspress publishes it: one-line fields cut, an unaffordable body replaced."""
    return dataclasses.replace(
        item,
        title=_cut(item.title),
        author=_cut(item.author) if item.author else item.author,
        date_text=_cut(item.date_text) if item.date_text else item.date_text,
        categories=tuple(_cut(c) for c in item.categories[:MAX_CATEGORIES]),
        content_html=affordable_body(item.content_html, item.link, max_body_chars),
    )


def affordable_body(html: str, link: str | None, max_body_chars: int) -> str:
    """``html`` when the budget allows it, else a short note that links to the original."""
    try:
        if len(html) > max_body_chars:
            raise TooCostly(
                f"its content ({len(html):,} characters) is longer than this mirror's"
                f" limit ({max_body_chars:,})"
            )
        browser_shaped(html)
    except TooCostly as exc:
        return too_costly_note(str(exc), link)
    return html


def too_costly_note(reason: str, link: str | None) -> str:
    """What a reader sees in place of a body rsspress would not process."""
    note = f"<p>This item is not mirrored here: {html_lib.escape(reason)}.</p>"
    if link and url_scheme(link) in ("http", "https"):
        note += f'<p><a href="{html_lib.escape(link)}">Read it at its source</a>.</p>'
    return note


def parse_body(html: str) -> LexborHTMLParser:
    """An item body parsed by lexbor, within the budget (an unaffordable one is empty).

    The ``<body>`` prefix keeps a leading ``<style>``, ``<meta>`` or ``<title>``
    in the body instead of letting the parser move it into ``<head>``.
    """
    try:
        shaped = browser_shaped(html)
    except TooCostly:
        shaped = ""
    return LexborHTMLParser("<body>" + shaped)


@functools.lru_cache(maxsize=8)  # an item's body is checked, then parsed: shaped once
def browser_shaped(html: str) -> str:
    """``html`` as lexbor and nh3 may read it in linear time; raises TooCostly.

    Short with few tags: ``html`` itself. Otherwise turbohtml's serialization
    of it, which a browser reads as the same tree (nesting stopped at 512
    levels, as Chromium stops it).
    """
    if len(html) < SMALL_BODY_CHARS and html.count("<") < FEW_TAGS:
        return html
    if _reopening_cost(html) > MAX_REOPENING:
        raise TooCostly("its markup leaves too many formatting tags open")
    import turbohtml  # 30 ms to import: a run that only gets 304s never needs it

    root = turbohtml.parse_fragment(html, "body", positions=False)
    limit = GROWTH * len(html) + GROWTH_SLACK
    shaped = _serialized(root, limit)
    crowded = root.xpath(f"//*[count(@*) > {MAX_ATTRIBUTES}]")
    if isinstance(crowded, list) and crowded:
        for element in crowded:
            assert isinstance(element, turbohtml.Element)
            # A new element: removing attributes one by one is quadratic in turbohtml.
            attrs = {k: v for k, v in element.attrs.items() if k in _READ_ATTRIBUTES}
            element.replace_with(turbohtml.Element(element.tag, attrs, list(element)))
        shaped = _serialized(root, limit)
    return shaped


def _serialized(root: turbohtml.Element, limit: int) -> str:
    chunks: list[str] = []
    size = 0
    for chunk in root.serialize_iter(inner=True):
        size += len(chunk)
        if size > limit:
            raise TooCostly(f"its markup grows past {GROWTH} times its size when parsed")
        chunks.append(chunk)
    return "".join(chunks)


_FORMATTING_TAG = re.compile(
    r"<(/?)(a|b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u)[\s/>]", re.IGNORECASE
)


def _reopening_cost(html: str) -> int:
    """An estimate of the elements the parser re-opens: formatting tags left open × tags.

    The HTML standard re-opens every formatting element left open (``<b>``,
    ``<font>``…) in each new block; 2,000 of them and 2,000 paragraphs took
    lexbor 6 s and came out as 60 MB. Counted before parsing, by name.
    """
    counts = Counter((slash, name.lower()) for slash, name in _FORMATTING_TAG.findall(html))
    unclosed = sum(
        max(0, count - counts[("/", name)]) for (slash, name), count in counts.items() if not slash
    )
    return unclosed * html.count("<")


def _cut(text: str) -> str:
    """A one-line field within MAX_LINE_CHARS; a long one keeps what a reader would see."""
    if len(text) <= MAX_LINE_CHARS:
        return text
    text = " ".join(text.split())  # runs of white space show as one space anyway
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"
