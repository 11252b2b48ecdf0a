"""fastfeedparser, behind one door: every use of it in rsspress goes through :func:`read`.

fastfeedparser does the parsing: on the shared corpus M it reads about 25,000
items/s on the path used here, against about 750 for feedparser (bench/parsers.py).
It has no hooks for what rsspress needs, so three of its private names are
replaced, once, by :func:`_install_hooks` (the first :func:`read` calls it; importing
this module changes nothing):

* ``_parse_date``: the reference site wrote each item's date exactly as its feed
  spelled it (``Sun, 28 Nov 2021 01:19:00 GMT``), and fastfeedparser only hands
  back a UTC ISO string. The hook keeps the text beside the ISO value
  (:class:`DateText`), and reads localized dates fastfeedparser does not
  (:func:`rsspress.dates.localized_iso`); a date nobody reads comes back as
  :class:`rsspress.dates.UnreadableDate`.
* ``_parse_xml_root``: lxml's recover mode makes a tree of anything, and the
  errors libxml2 reported while making it are the only sign that a document was
  damaged (:mod:`rsspress.salvage`). The hook hands the recover parser's error log
  to the call in progress.
* ``_core``: the native extractor is 3x faster, but parses dates itself and cannot
  keep their text. Whether a call may use it is a parameter of :func:`read`; the
  stand-in installed for it runs the real extractor only for calls that asked.

What a call asked for is kept in a context variable, so calls on several threads
(or none in progress) never see each other's choice. All of this is private to
fastfeedparser: the version range is pinned in pyproject.toml, and
tests/test_parse.py (date text) and tests/test_salvage.py (damage) fail if a hook
stops working.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import fastfeedparser.main as _ffp

from rsspress.dates import UnreadableDate, localized_iso

# fastfeedparser's own functions, read (not changed) on import; the hooks call them.
_ffp_parse_date: Callable[[str], str | None] = _ffp._parse_date
_ffp_parse_xml_root: Callable[[bytes], Any] = _ffp._parse_xml_root
# The native extractor: None in fastfeedparser's pure-Python wheel.
_NATIVE_EXTRACTOR: Any = _ffp._core


class DateText(str):
    """fastfeedparser's ISO date, carrying the text the feed wrote (``original``)."""

    original: str


@dataclass(frozen=True)
class RawFeed:
    """fastfeedparser's answer for one document."""

    feed: dict[str, Any]  # the feed's own fields (title, link, ...)
    entries: list[dict[str, Any]]  # one per item; dates are DateText or UnreadableDate
    xml_error_logs: tuple[Any, ...]  # libxml2's error log of each recover-mode parse


@dataclass
class _Call:
    """What one :func:`read` asked for, and what its parse reported."""

    native: bool
    xml_error_logs: list[Any] = field(default_factory=list)


_current: ContextVar[_Call | None] = ContextVar("rsspress_fastfeedparser_call", default=None)


def read(document: bytes, *, native: bool) -> RawFeed:
    """Parse one feed document with fastfeedparser.

    ``native``: the native extractor may read it (3x faster, but each date comes
    back as a bare UTC ISO string, without the feed's text of it). Raises what
    fastfeedparser raises (ValueError, lxml's errors) for a document it cannot read.
    """
    _install_hooks()
    call = _Call(native)
    token = _current.set(call)
    try:
        raw = _ffp.parse(document)
    finally:
        _current.reset(token)
    return RawFeed(
        feed=raw.get("feed") or {},
        entries=raw.get("entries") or [],
        xml_error_logs=tuple(call.xml_error_logs),
    )


@functools.cache
def _install_hooks() -> None:
    """Put the hooks in place of fastfeedparser's private functions (idempotent).

    Unavoidable: fastfeedparser takes no date parser, no error sink and no choice
    of extractor as arguments, and each is needed (see the module's docstring).
    Assignments of fixed functions: a second run, on another thread, changes nothing.
    """
    _ffp._parse_date = _parse_date_keeping_text
    _ffp._parse_xml_root = _parse_xml_root_noting_errors
    if _NATIVE_EXTRACTOR is not None:
        _ffp._core = _ExtractorWhenAsked()


def _parse_date_keeping_text(value: str) -> str | None:
    iso = _ffp_parse_date(value) or localized_iso(value)
    if iso is None:
        # Kept, not lost: the item falls back to when it was first seen, and is counted.
        return UnreadableDate(value.strip()) if value.strip() else None
    out = DateText(iso)
    out.original = value.strip()
    return out


def _parse_xml_root_noting_errors(xml_content: bytes) -> Any:
    root = _ffp_parse_xml_root(xml_content)
    call = _current.get()
    if call is not None:
        # The parser fastfeedparser just used: the same choice for the same bytes.
        # (lxml's error_log is a copy: later parses do not change it.)
        call.xml_error_logs.append(_ffp._xml_parsers(xml_content).recover.error_log)
    return root


class _ExtractorWhenAsked:
    """Stands for fastfeedparser's ``_core``: the native extractor, for calls that asked.

    For the others it answers with a string, which is how the extractor hands a
    document back: fastfeedparser then takes its Python (lxml) path, exactly as
    when it has no extractor at all.
    """

    def parse_entries(self, *args: Any) -> Any:
        call = _current.get()
        if call is None or not call.native:
            return "the native extractor was not asked for"
        return _NATIVE_EXTRACTOR.parse_entries(*args)
