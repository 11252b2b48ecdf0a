"""Parse feed bytes (RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed 1.x) into typed items.

fastfeedparser reads the document, through :mod:`rsspress.feedparser_adapter`
(the only module that touches it); this module repairs the bytes before, and
turns its answer into typed items after.
"""

from __future__ import annotations

import codecs
import datetime as dt
import email.utils
import html.entities
import re
from dataclasses import dataclass
from typing import Any

from rsspress import feedparser_adapter
from rsspress.atomtext import xhtml_titles_as_html
from rsspress.dates import UnreadableDate, parse_localized
from rsspress.decoding import utf8_document
from rsspress.nearfeed import feed_meant
from rsspress.salvage import (
    ParserError,
    describe,
    libxml2_errors,
    whole_items,
    without_invalid_characters,
)
from rsspress.urls import absolute, without_secrets


class ParseError(Exception):
    """The body is not a feed we can read."""


@dataclass(frozen=True)
class FeedItem:
    guid: str | None
    link: str | None
    title: str
    content_html: str
    date_text: str | None  # the date as the feed wrote it (kept when asked, or unreadable)
    date: dt.datetime | None  # timezone-aware
    author: str | None = None
    categories: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()  # enclosure and media:* images
    enclosure_urls: tuple[str, ...] = ()  # every enclosure (a podcast's episode): tells items apart

    @property
    def date_unreadable(self) -> bool:
        """The feed wrote a date no reader understood (``date_text`` holds it)."""
        return self.date is None and self.date_text is not None


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    items: tuple[FeedItem, ...]
    damage: str | None = None  # the XML parser's errors, when the document was not well-formed
    held_back: int = 0  # items cut off or broken in a damaged document: not among ``items``


def parse_feed(
    body: bytes, url: str, http_charset: str | None = None, *, date_text: bool = True
) -> ParsedFeed:
    """Parse one feed document; ``url`` is where it came from (for relative links).

    With ``date_text=False`` items come without their date's own spelling
    (``FeedItem.date_text`` is None and ``date`` is in UTC), three times faster:
    only the compat profile writes the feed's date text.
    """
    if not body.strip():
        raise ParseError("empty document")
    # Characters XML forbids go first: one left in (or in an entity) spoils what follows.
    document, removed = without_invalid_characters(utf8_document(body, http_charset))
    # A UTF-8 byte order mark is harmless to XML but hides a JSON Feed's opening brace.
    document = document.removeprefix(codecs.BOM_UTF8)
    document = xhtml_titles_as_html(repair_entities(feed_meant(document)))
    # The native extractor's time grows with the square of a tag's attributes
    # (100,000 of them on one <item>: 26 s); the Python path stays linear.
    native = not date_text and _HUGE_TAG.search(document) is None
    try:
        raw = feedparser_adapter.read(document, native=native)
    except Exception as exc:  # fastfeedparser raises ValueError and lxml errors alike
        raise ParseError(_short(str(exc)) or type(exc).__name__) from None
    feed = raw.feed
    entries = raw.entries
    errors: list[ParserError] = [e for log in raw.xml_error_logs for e in libxml2_errors(log)]
    held_back = 0
    if errors:  # the recovered tree may hold items cut short: read the whole ones only
        entries, held_back = _whole_entries(document, native=native)
    feed_link = _text(feed.get("link"))
    # Relative links resolve against the feed's URL without its password or ?key=:
    # they are published, in posts and in the state.
    base = without_secrets(absolute(feed_link, url) if feed_link else url)
    items = tuple(_item(entry, base) for entry in entries)
    return ParsedFeed(
        title=_text(feed.get("title")),
        link=feed_link,
        items=items,
        damage=describe([*removed, *errors]),
        held_back=held_back,
    )


def _whole_entries(document: bytes, *, native: bool) -> tuple[list[dict[str, Any]], int]:
    """The entries of the whole items of a damaged document; how many were held back."""
    salvage = whole_items(document)
    entries: list[dict[str, Any]] = []
    held_back = salvage.held_back
    for part, count in salvage.documents:
        try:
            entries.extend(feedparser_adapter.read(part, native=native).entries)
        except Exception:  # the feed's own start tags do not parse: nothing is whole
            held_back += count
    return entries, held_back


# A tag of 8 KB or more. Each "<" scans at most to the next "<" or 8 KB: linear.
_HUGE_TAG = re.compile(rb"<[^<>]{8192}")
# "&" that XML does not accept: not one of its five entities, not a numeric reference.
_LOOSE_AMPERSAND = re.compile(
    rb"&(?!(?:amp|lt|gt|quot|apos);|#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};)([A-Za-z][A-Za-z0-9]{0,31};)?"
)


def repair_entities(body: bytes) -> bytes:
    """Make HTML entities in XML (``&nbsp;``, ``&mdash;``, a bare ``&``) well-formed.

    Feeds written by hand or by careless templates use them; a strict parser
    stops there and a recovering one silently drops text (a title made of
    ``&nbsp;a&mdash;b`` comes back empty). Named HTML entities become numeric
    references and a bare ``&`` becomes ``&amp;``; CDATA sections are left alone.
    """
    if body.lstrip()[:1] in (b"{", b"["):  # JSON Feed
        return body
    if not _LOOSE_AMPERSAND.search(body):
        return body
    # CDATA sections are found with bytes.find: a regex spanning them is 10x slower.
    out: list[bytes] = []
    position = 0
    while True:
        start = body.find(b"<![CDATA[", position)
        outside = body[position : start if start >= 0 else len(body)]
        out.append(_LOOSE_AMPERSAND.sub(_entity_reference, outside) if b"&" in outside else outside)
        if start < 0:
            break
        end = body.find(b"]]>", start)
        if end < 0:
            out.append(body[start:])
            break
        out.append(body[start : end + 3])
        position = end + 3
    return b"".join(out)


def _entity_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name:
        text = html.entities.html5.get(name.decode("ascii"))
        if text is not None:
            return "".join(f"&#{ord(char)};" for char in text).encode("ascii")
        return b"&amp;" + name
    return b"&amp;"


def _item(entry: dict[str, Any], base: str) -> FeedItem:
    link = _text(entry.get("link"))
    if link:
        link = absolute(link, base)
    content = ""
    blocks = entry.get("content") or []
    if blocks and isinstance(blocks[0], dict):
        content = blocks[0].get("value") or ""
    if not content:
        content = entry.get("description") or ""
    content = str(content).replace("\x00", _NUL_AS)
    date_text, date = _item_date(entry)
    return FeedItem(
        guid=_text(entry.get("id")),
        link=link,
        title=_text(entry.get("title")) or "",
        content_html=content,
        date_text=date_text,
        date=date,
        author=_text(entry.get("author")),
        categories=tuple(
            str(t["term"]).replace("\x00", _NUL_AS)
            for t in entry.get("tags") or []
            if isinstance(t, dict) and t.get("term")
        ),
        image_urls=_images(entry, link or base),
        enclosure_urls=tuple(
            dict.fromkeys(
                absolute(str(e["url"]), link or base)
                for e in entry.get("enclosures") or []
                if isinstance(e, dict) and e.get("url")
            )
        ),
    )


def _item_date(entry: dict[str, Any]) -> tuple[str | None, dt.datetime | None]:
    """The item's date, and the feed's text of it where kept (or where unreadable)."""
    unreadable = None
    for key in ("published", "updated"):
        value = entry.get(key)
        # With no date, fastfeedparser reads the guid as one: that is no date field.
        if not value or value == entry.get("id"):
            continue
        if not isinstance(value, UnreadableDate):
            original = getattr(value, "original", None)
            date = parse_date(original, value)  # the native extractor: a bare ISO string
            if date is not None:
                return original, date
        unreadable = unreadable or str(getattr(value, "original", value))
    return unreadable, None


def parse_date(text: str | None, iso_utc: str | None = None) -> dt.datetime | None:
    """Read a feed date, keeping its own UTC offset where it has one."""
    if text:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is None:
            try:
                parsed = dt.datetime.fromisoformat(text.strip())
            except ValueError:
                parsed = parse_localized(text)
        if parsed is not None and parsed.tzinfo is not None:
            return parsed
    if iso_utc:
        try:
            parsed = dt.datetime.fromisoformat(str(iso_utc))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _images(entry: dict[str, Any], base: str) -> tuple[str, ...]:
    urls: list[str] = []
    for key in ("media_thumbnail", "media_content", "enclosures"):
        for media in entry.get(key) or []:
            if not isinstance(media, dict) or not media.get("url"):
                continue
            kind = str(media.get("type") or media.get("medium") or "image")
            if kind.startswith("image") or key == "media_thumbnail":
                urls.append(absolute(str(media["url"]), base))
    return tuple(dict.fromkeys(urls))


# A NUL (which XML forbids, but a JSON Feed can escape as \u0000) becomes U+FFFD, as a
# browser's HTML tokenizer makes it in tag names and attributes: PostgreSQL refuses NUL
# in text, and an item's key must read back as it was written.
_NUL_AS = "\ufffd"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip().replace("\x00", _NUL_AS)
    return text or None


def _short(message: str, limit: int = 200) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"
