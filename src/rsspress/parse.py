"""Parse feed bytes (RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed 1.x) into typed items.

fastfeedparser does the parsing: on the shared corpus M it reads about 25,000
items/s on the path used here, against about 750 for feedparser (bench/parsers.py).

The reference site wrote each item's date exactly as its feed spelled it
(``Sun, 28 Nov 2021 01:19:00 GMT``), and fastfeedparser only hands back a UTC
ISO string. Its Python path calls ``_parse_date`` for every date, so we wrap
that function to keep the original text beside the ISO value; its native
extractor parses dates itself and cannot keep the text, so it is switched off.
Both are private to fastfeedparser: the version range is pinned in
pyproject.toml and tests/test_parse.py fails if the wrapper stops working.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html.entities
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fastfeedparser
import fastfeedparser.main as _ffp

from rsspress.urls import absolute, without_secrets


class _DateText(str):
    """fastfeedparser's ISO date, carrying the text the feed wrote."""

    original: str


_ffp_parse_date: Callable[[str], str | None] = _ffp._parse_date


def _parse_date_keeping_text(value: str) -> str | None:
    iso = _ffp_parse_date(value)
    if iso is None:
        return None
    out = _DateText(iso)
    out.original = value.strip()
    return out


_ffp._parse_date = _parse_date_keeping_text
# fastfeedparser's native extractor: 3x faster, but it cannot keep a date's own text.
_NATIVE_EXTRACTOR = _ffp._core


class ParseError(Exception):
    """The body is not a feed we can read."""


@dataclass(frozen=True)
class FeedItem:
    guid: str | None
    link: str | None
    title: str
    content_html: str
    date_text: str | None  # the date as the feed wrote it
    date: dt.datetime | None  # timezone-aware
    author: str | None = None
    categories: tuple[str, ...] = ()
    image_urls: tuple[str, ...] = ()  # enclosure and media:* images


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    items: tuple[FeedItem, ...]


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
    document = repair_entities(repair_encoding(body, http_charset))
    # A module global, switched per call: parsing runs on one thread per process.
    # The native extractor's time grows with the square of a tag's attributes
    # (100,000 of them on one <item>: 26 s); the Python path stays linear.
    native = not date_text and _HUGE_TAG.search(document) is None
    _ffp._core = _NATIVE_EXTRACTOR if native else None
    try:
        raw = fastfeedparser.parse(document)
    except Exception as exc:  # fastfeedparser raises ValueError and lxml errors alike
        raise ParseError(_short(str(exc)) or type(exc).__name__) from None
    feed = raw.get("feed") or {}
    entries = raw.get("entries") or []
    feed_link = _text(feed.get("link"))
    # Relative links resolve against the feed's URL without its password or ?key=:
    # they are published, in posts and in the state.
    base = without_secrets(absolute(feed_link, url) if feed_link else url)
    items = tuple(_item(entry, base) for entry in entries)
    return ParsedFeed(title=_text(feed.get("title")), link=feed_link, items=items)


# A tag of 8 KB or more. Each "<" scans at most to the next "<" or 8 KB: linear.
_HUGE_TAG = re.compile(rb"<[^<>]{8192}")
_XML_DECLARATION = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
_UNICODE_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def repair_encoding(body: bytes, http_charset: str | None = None) -> bytes:
    """UTF-8 bytes whatever the feed declared, so a wrong declaration costs nothing.

    Chinese feeds often declare ``gb2312`` while serving UTF-8 (a proxy
    re-encoded them) or the other way round. Bytes that are valid UTF-8 are
    UTF-8: a GBK or Latin-1 text is practically never valid UTF-8 by chance.
    Otherwise the declared charset, the HTTP charset, GB18030 (a superset of
    GBK and GB2312) and cp1252 are tried in that order.
    """
    if body.startswith(_UNICODE_BOMS[1:]) or body[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"):
        return body  # UTF-16/32 with a BOM: the XML parser reads those itself
    declaration = _XML_DECLARATION.match(body)
    declared = declaration.group(2).decode("ascii").lower() if declaration else None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared in (None, "utf-8", "utf8"):
            return body
        return _XML_DECLARATION.sub(rb"\g<1>utf-8\g<3>", body, count=1)
    for charset in dict.fromkeys(c for c in (declared, http_charset, "gb18030", "cp1252") if c):
        try:
            text = body.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
        fixed = text.encode("utf-8")
        if declaration:
            fixed = _XML_DECLARATION.sub(rb"\g<1>utf-8\g<3>", fixed, count=1)
        return fixed
    return body


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
    published = entry.get("published") or entry.get("updated")
    date_text = getattr(published, "original", None) if published else None
    return FeedItem(
        guid=_text(entry.get("id")),
        link=link,
        title=_text(entry.get("title")) or "",
        content_html=content,
        date_text=date_text,
        date=parse_date(date_text, published),
        author=_text(entry.get("author")),
        categories=tuple(
            t["term"] for t in entry.get("tags") or [] if isinstance(t, dict) and t.get("term")
        ),
        image_urls=_images(entry, link or base),
    )


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
                parsed = None
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


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _short(message: str, limit: int = 200) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"
