"""Damaged XML feeds: what the parser said, and only the items that came whole.

fastfeedparser parses XML with lxml's recover mode, which makes a tree of
anything: a document cut off mid-item gives an item titled ``![CD`` or
``Hello wor`` with an empty body, and an element that lost its end tag
swallows the items after it. Two things are done about it here:

* :func:`libxml2_errors` reads the errors libxml2 reported while
  fastfeedparser parsed (:mod:`rsspress.feedparser_adapter` hands over the
  recover parser's error log), so that the feed is known to be malformed (and
  the message shown by ``rsspress status``) even when its items were saved;
  tests/test_salvage.py fails if damage stops being noticed. A well-formed
  document costs nothing extra.
* :func:`whole_items` runs for a document with errors (any: libxml2 reports a
  download cut inside a character as bad UTF-8 only): it finds each
  ``<item>``/``<entry>`` element in the bytes and keeps those that were closed
  and parse on their own (inside their feed's start tags) with no error that
  may cut text. An item cut off, or with broken markup inside, is held back: a
  later fetch brings it whole. Errors that cut nothing (a control character
  libxml2 drops, bytes that are not UTF-8) leave an item as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree


@dataclass(frozen=True)
class ParserError:
    """One error libxml2 reported."""

    line: int
    column: int
    kind: str  # libxml2's name for it: ERR_TAG_NAME_MISMATCH, ERR_INVALID_CHAR ...
    message: str

    @property
    def cuts(self) -> bool:
        """Whether text or elements may have been lost around it (not just one character)."""
        return self.kind not in _HARMLESS


# Errors after which libxml2's recovery loses no more than the offending bytes.
_HARMLESS = frozenset(
    {
        "ERR_INVALID_CHAR",  # a control character: dropped
        "ERR_INVALID_ENCODING",  # bytes that are not UTF-8: one U+FFFD each
        "ERR_DOCUMENT_END",  # content after the root element: ignored, as feedparser does
        "ERR_RESERVED_XML_NAME",  # an XML declaration not at the very start
        "ERR_ATTRIBUTE_REDEFINED",  # an attribute written twice: the element is whole
    }
)
# Namespace errors (a prefix never declared) are not damage: the element keeps its name.
_DOMAINS = frozenset({"PARSER", "IO"})


def describe(errors: list[ParserError]) -> str | None:
    """What ``rsspress status`` says of a damaged document: its first error, and how many more."""
    if not errors:
        return None
    first = errors[0]
    more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
    return f"line {first.line}, column {first.column}: {first.message}{more}"


def libxml2_errors(log: Any) -> list[ParserError]:
    """The errors of an lxml error log that tell of damage, as values."""
    out: list[ParserError] = []
    for entry in log:
        if entry.domain_name in _DOMAINS:
            # Its first line only: libxml2 quotes the document after it. Printed: no controls.
            first = str(entry.message).splitlines()[0] if entry.message else ""
            message = " ".join("".join(c if c.isprintable() else " " for c in first).split())
            message = message[:200]
            out.append(ParserError(entry.line, entry.column, entry.type_name, message))
    return out


# Characters XML 1.0 forbids (C0 controls but tab, newline and return; U+FFFE, U+FFFF),
# in UTF-8. libxml2's recovery drops such a character but then also drops every entity
# reference after it in the document: "&lt;p&gt;" reads "p" in every later item.
_INVALID_CHARACTER = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def without_invalid_characters(document: bytes) -> tuple[bytes, list[ParserError]]:
    """The UTF-8 document without the characters XML forbids; where the first one was.

    They carry nothing a reader would miss (a vertical tab pasted from a word
    processor, a NUL from a broken template), and the document is still reported
    as malformed. A JSON Feed is left alone: JSON escapes them.
    """
    found = _INVALID_CHARACTER.search(document)
    if found is None or document.lstrip()[:1] in (b"{", b"["):
        return document, []
    count = len(_INVALID_CHARACTER.findall(document))
    start = found.start()
    line_start = document.rfind(b"\n", 0, start) + 1
    column = len(document[line_start:start].decode("utf-8", errors="replace")) + 1
    code = ord(found.group().decode("utf-8"))
    more = f" ({count} in all)" if count > 1 else ""
    note = ParserError(
        document.count(b"\n", 0, start) + 1,
        column,
        "ERR_INVALID_CHAR",
        f"invalid character U+{code:04X}, removed{more}",
    )
    return _INVALID_CHARACTER.sub(b"", document), [note]


# -- finding the whole items ------------------------------------------------------------

_ITEMS = (b"item", b"entry")
_FEED_ROOTS = (b"rss", b"rdf", b"feed")
_NAME = re.compile(rb"[A-Za-z_:][-A-Za-z0-9._:]*")
# Bounds that keep the scan linear on a hostile document; real feeds are far inside them.
_END_TAG_SEARCH = 32  # open elements an end tag may close at once
_MAX_ITEM_DEPTH = 32  # elements around an item
_MAX_WRAPPER_BYTES = 8192  # the feed's start tags each item is checked inside
_MAX_PROLOG_BYTES = 2048  # XML declaration, doctype and comments kept before them


@dataclass(frozen=True)
class _Element:
    name: bytes
    start: int  # offset of its "<"
    end: int  # offset after its ">"


@dataclass(frozen=True)
class _Chunk:
    start: int
    end: int | None  # after its end tag; None: it never closed
    ancestors: tuple[_Element, ...]


def _local(name: bytes) -> bytes:
    return name.rpartition(b":")[2].lower()


def _skip_to(document: bytes, marker: bytes, start: int) -> int:
    found = document.find(marker, start)
    return len(document) if found < 0 else found + len(marker)


def _item_chunks(document: bytes) -> list[_Chunk]:
    """Every item/entry element in the bytes: where it starts, where it ends, if it does."""
    chunks: list[_Chunk] = []
    stack: list[_Element] = []
    open_item: tuple[int, _Chunk] | None = None  # its depth in the stack, and where it began
    position = 0
    while (lt := document.find(b"<", position)) >= 0:
        if document.startswith(b"<!--", lt):
            position = _skip_to(document, b"-->", lt + 4)
        elif document.startswith(b"<![CDATA[", lt):
            position = _skip_to(document, b"]]>", lt + 9)
        elif document.startswith(b"<?", lt):
            position = _skip_to(document, b"?>", lt + 2)
        elif document.startswith(b"<!DOCTYPE", lt):
            gt = _skip_to(document, b">", lt)
            bracket = document.find(b"[", lt, gt)  # its internal subset
            position = _skip_to(document, b"]>", bracket) if bracket >= 0 else gt
        elif document.startswith(b"</", lt):
            position = _skip_to(document, b">", lt)
            name = document[lt + 2 : position].rstrip(b">").strip()
            for depth in range(len(stack) - 1, max(-1, len(stack) - 1 - _END_TAG_SEARCH), -1):
                if stack[depth].name != name:
                    continue
                if open_item is not None and depth <= open_item[0]:
                    item_depth, chunk = open_item
                    closed = position if depth == item_depth else None
                    chunks.append(_Chunk(chunk.start, closed, chunk.ancestors))
                    open_item = None
                del stack[depth:]
                break
            else:
                if open_item is None and chunks and _local(name) in _ITEMS:
                    # A second end tag for the item before: it was closed early, and its
                    # fields after that point were cut from it.
                    chunks[-1] = _Chunk(chunks[-1].start, None, chunks[-1].ancestors)
        else:
            match = _NAME.match(document, lt + 1)
            if match is None:
                position = lt + 1
                continue
            gt = document.find(b">", match.end())
            if gt < 0:
                break  # cut inside a start tag
            position = gt + 1
            element = _Element(match.group(), lt, position)
            empty = document[gt - 1 : gt] == b"/"
            if _local(element.name) in _ITEMS:
                if open_item is not None:  # an item inside an item: the first lost its end tag
                    item_depth, chunk = open_item
                    chunks.append(chunk)
                    del stack[item_depth:]
                    open_item = None
                ancestors = tuple(stack) if len(stack) <= _MAX_ITEM_DEPTH else ()
                if empty:
                    chunks.append(_Chunk(lt, position, ancestors))
                    continue
                open_item = (len(stack), _Chunk(lt, None, ancestors))
            if not empty:
                stack.append(element)
    if open_item is not None:
        chunks.append(open_item[1])
    return chunks


def _wrapper(document: bytes, ancestors: tuple[_Element, ...]) -> tuple[bytes, bytes] | None:
    """The feed's start tags around an item (from its rss/feed/RDF element), and their ends."""
    if not ancestors:
        return None
    root = next((n for n, e in enumerate(ancestors) if _local(e.name) in _FEED_ROOTS), 0)
    kept = ancestors[root:]
    prolog = document[: kept[0].start] if root == 0 else b""
    if len(prolog) > _MAX_PROLOG_BYTES:
        prolog = b""
    head = prolog + b"".join(document[e.start : e.end] for e in kept)
    if len(head) > _MAX_WRAPPER_BYTES:
        return None
    return head, b"".join(b"</" + e.name + b">" for e in reversed(kept))


def _clean(document: bytes) -> bool:
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=True, collect_ids=False
    )
    try:
        etree.fromstring(document, parser)
    except etree.XMLSyntaxError:
        return False
    return not any(error.cuts for error in libxml2_errors(parser.error_log))


@dataclass(frozen=True)
class Salvage:
    """A damaged document's whole items, as feed documents of their own."""

    documents: tuple[tuple[bytes, int], ...]  # (a feed holding only whole items, how many)
    held_back: int  # items cut off or broken: not published now


def whole_items(document: bytes) -> Salvage:
    """The items of a damaged XML document that came whole, each checked on its own."""
    documents: list[tuple[bytes, int]] = []
    held_back = 0
    run: list[bytes] = []
    run_wrapper: tuple[bytes, bytes] | None = None
    checked: dict[tuple[bytes, bytes], bool] = {}

    def flush() -> None:
        if run and run_wrapper is not None:
            documents.append((run_wrapper[0] + b"".join(run) + run_wrapper[1], len(run)))
        run.clear()

    wrappers: dict[tuple[_Element, ...], tuple[bytes, bytes] | None] = {}
    for chunk in _item_chunks(document):
        if chunk.ancestors not in wrappers:  # items are siblings: built once
            wrappers[chunk.ancestors] = _wrapper(document, chunk.ancestors)
        wrapper = wrappers[chunk.ancestors]
        if chunk.end is None or wrapper is None:
            held_back += 1
            continue
        if wrapper not in checked:
            checked[wrapper] = _clean(wrapper[0] + wrapper[1])
        body = document[chunk.start : chunk.end]
        if not checked[wrapper] or not _clean(wrapper[0] + body + wrapper[1]):
            held_back += 1
            continue
        if wrapper != run_wrapper:
            flush()
            run_wrapper = wrapper
        run.append(body)
    flush()
    return Salvage(tuple(documents), held_back)
