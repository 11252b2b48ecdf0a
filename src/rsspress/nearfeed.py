"""Documents that are nearly feeds: the feed they mean, as feedparser reads them.

Two shapes seen on real sites:

- a feed inside an HTML page: a server that wraps its XML in
  ``<html><body><pre>`` (raw, or escaped as ``&lt;feed&gt;`` for display), or
  a blog page that embeds its Atom ``<feed>``;
- an RSS document whose ``<item>`` elements sit directly under ``<rss>``,
  without the ``<channel>`` that RSS 2.0 requires.

Both are rewritten into the feed they mean before parsing; a document that is
neither comes back unchanged. Every search here is one linear scan.
"""

from __future__ import annotations

import html
import re

_ATOM_NS = b"http://www.w3.org/2005/Atom"
# What precedes the root element: a BOM, white space, the XML declaration,
# processing instructions, comments and a doctype.
_ROOT = re.compile(
    rb"(?:\xef\xbb\xbf|\s|<\?[^<>]*>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^>\[]*(?:\[[^\]]*\])?\s*>)*"
    rb"<([A-Za-z][\w:.-]*)",
    re.IGNORECASE,
)
_HEAD_BYTES = 64 * 1024  # where the root element must start
_RSS_START = re.compile(rb"<rss\b[^<>]*>")
_EMBEDDED_START = re.compile(rb"<(feed|rss|rdf:RDF)(?=[\s>/])[^<>]*>")
_ESCAPED_START = re.compile(rb"&lt;(feed|rss|rdf:RDF)(?=[\s&/])")
_TAG = re.compile(rb"<[^<>]*>")


def root_name(document: bytes) -> str | None:
    """The name of the document's first element, lower-cased; None if there is none."""
    match = _ROOT.match(document, 0, _HEAD_BYTES)
    return match.group(1).decode("ascii").lower() if match else None


def feed_meant(document: bytes) -> bytes:
    """The feed ``document`` means: itself, unless it is a near-feed (see the module doc)."""
    root = root_name(document)
    if root == "html":
        return _feed_in_page(document) or document
    if root == "rss" and b"<channel" not in document:
        return _with_channel(document)
    return document


def _with_channel(document: bytes) -> bytes:
    start = _RSS_START.search(document)
    if start is None:
        return document
    if start.group().endswith(b"/>"):  # <rss version="2.0"/>: a feed with nothing in it yet
        tag = start.group()[:-2].rstrip() + b">"
        return document[: start.start()] + tag + b"<channel/></rss>" + document[start.end() :]
    end = document.rfind(b"</rss>")
    if end < start.end():
        end = len(document)
    return b"".join(
        (
            document[: start.end()],
            b"<channel>",
            document[start.end() : end],
            b"</channel>",
            document[end:],
        )
    )


def _feed_in_page(page: bytes) -> bytes | None:
    """The feed written into an HTML page, raw or escaped for display; None if none."""
    start = _EMBEDDED_START.search(page)
    if start is not None:
        name = start.group(1)
        closing = b"</" + name + b">"
        end = page.rfind(closing)
        if end > start.start():
            feed = page[start.start() : end + len(closing)]
            if name == b"feed" and b"xmlns" not in start.group():
                # An HTML page drops namespaces; an Atom feed without its own is still Atom.
                feed = b'<feed xmlns="' + _ATOM_NS + b'"' + feed[len(b"<feed") :]
            elif name == b"rss" and b"<channel" not in feed:
                feed = _with_channel(feed)
            return b'<?xml version="1.0" encoding="utf-8"?>\n' + feed
    escaped = _ESCAPED_START.search(page)
    if escaped is None:
        return None
    name = escaped.group(1)
    closing = b"&lt;/" + name + b"&gt;"
    end = page.rfind(closing)
    if end < escaped.start():
        return None
    shown = page[escaped.start() : end + len(closing)]
    # What a reader sees in the <pre>: syntax highlighting's tags dropped, entities decoded.
    feed = html.unescape(_TAG.sub(b"", shown).decode("utf-8", errors="replace")).encode("utf-8")
    if name == b"rss" and b"<channel" not in feed:
        feed = _with_channel(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + feed
