"""Validators for the feeds the static site publishes: Atom 1.0 and JSON Feed 1.1.

`validate_atom` checks a document against the RELAX NG schema of RFC 4287 (Appendix B,
tests/data/atom.rng) and then against the rules of the RFC's prose that RELAX NG cannot
express. `validate_json_feed` checks a document against tests/data/jsonfeed-1.1.schema.json
with format checking on. Both return a list of error messages; an empty list means valid.
Neither touches the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import jsonschema
from lxml import etree

DATA = Path(__file__).resolve().parent / "data"
ATOM_RNG = DATA / "atom.rng"
JSON_FEED_SCHEMA = DATA / "jsonfeed-1.1.schema.json"

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

_A = f"{{{ATOM_NS}}}"

# RFC 3339, section 5.6: date-time = full-date "T" full-time, with a time-offset that is
# "Z" or +hh:mm / -hh:mm. ASCII digits only (no \d, which matches any Unicode digit).
_RFC3339 = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]"
    r"(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?P<off_hour>[0-9]{2}):(?P<off_minute>[0-9]{2}))"
)

# RFC 3986 section 3.1 scheme; characters that may appear in no URI or IRI (RFC 3987
# section 2.2: controls, space and the delimiters it leaves out), and a "%" that does not
# start a percent-encoding.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]|%(?![0-9A-Fa-f]{2})')
_NEEDS_HOST = frozenset({"http", "https", "ftp", "ws", "wss"})

# RFC 4287 section 4.2.7.2: a missing rel means "alternate", and a bare name stands for the
# IRI under the IANA registry.
_ALTERNATE = frozenset({"alternate", "http://www.iana.org/assignments/relation/alternate"})

# RFC 4287 section 4.1.3.3: content whose type is a media type that is neither XML nor
# text/* is Base64-encoded.
_XML_MEDIA_TYPE = re.compile(r"[^/]+/([^/]+\+)?xml|[^/]+/xml-external-parsed-entity", re.I)


def is_rfc3339_date_time(value: str, *, upper_case: bool = False) -> bool:
    """True if `value` is an RFC 3339 date-time, which always carries a UTC offset.

    With `upper_case`, "T" and "Z" must be upper case, as RFC 4287 section 3.3 demands of
    Atom Date constructs (RFC 3339 itself allows "t" and "z").
    """
    match = _RFC3339.fullmatch(value)
    if match is None or (upper_case and ("t" in value or "z" in value)):
        return False
    try:
        date.fromisoformat(match["date"])
    except ValueError:
        return False
    off_hour = int(match["off_hour"] or 0)
    off_minute = int(match["off_minute"] or 0)
    return (
        int(match["hour"]) <= 23
        and int(match["minute"]) <= 59
        and int(match["second"]) <= 60  # 60: a leap second
        and off_hour <= 23
        and off_minute <= 59
    )


def is_iri(value: str) -> bool:
    """True if `value` is an absolute IRI (RFC 3987): a scheme, then no white space, no
    character an IRI leaves out and no broken percent-encoding. Relative references are
    not IRIs. http(s), ftp and ws(s) IRIs must name a host."""
    scheme, colon, _ = value.partition(":")
    if not colon or _SCHEME.fullmatch(scheme) is None or _NOT_IN_IRI.search(value):
        return False
    if value.count("#") > 1:
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        return False
    return not (scheme.lower() in _NEEDS_HOST and not host)


def is_uri(value: str) -> bool:
    """True if `value` is an absolute URI (RFC 3986): an IRI made of ASCII characters only."""
    return value.isascii() and is_iri(value)


# --- Atom --------------------------------------------------------------------------


@cache
def _atom_schema() -> Any:
    return etree.RelaxNG(etree.parse(str(ATOM_RNG), _xml_parser()))


def _xml_parser() -> Any:
    # No external DTD is loaded and nothing is fetched. Entities declared in the document's
    # internal subset are expanded, as any XML processor must; an external entity is not
    # read, so a reference to one is an error ("Entity 'x' not defined").
    return etree.XMLParser(
        load_dtd=False,
        dtd_validation=False,
        resolve_entities="internal",
        no_network=True,
        huge_tree=False,
    )


def _text(element: Any) -> str:
    """The character content of an element, as RELAX NG sees it (comments left out)."""
    return str(element.xpath("string()"))


def _where(element: Any) -> str:
    local = str(etree.QName(element).localname)
    return f"atom:{local} (line {element.sourceline})"


def _check_exactly_one(parent: Any, name: str, errors: list[str]) -> None:
    found = parent.findall(_A + name)
    if len(found) != 1:
        errors.append(f"{_where(parent)} must contain exactly one atom:{name}, has {len(found)}")


def _check_entry(entry: Any, feed_has_author: bool, errors: list[str]) -> None:
    for name in ("id", "title", "updated"):
        _check_exactly_one(entry, name, errors)

    if not (
        feed_has_author
        or entry.find(_A + "author") is not None
        or entry.find(f"{_A}source/{_A}author") is not None
    ):
        errors.append(
            f"{_where(entry)} has no atom:author, and neither has its feed nor its atom:source"
        )

    contents = entry.findall(_A + "content")
    alternates = [
        link for link in entry.findall(_A + "link") if link.get("rel", "alternate") in _ALTERNATE
    ]
    if not contents and not alternates:
        errors.append(f"{_where(entry)} has neither atom:content nor an atom:link rel=alternate")

    for content in contents:
        media_type = content.get("type", "text")
        base64 = (
            "/" in media_type
            and not media_type.lower().startswith("text/")
            and _XML_MEDIA_TYPE.fullmatch(media_type) is None
        )
        if (content.get("src") is not None or base64) and entry.find(_A + "summary") is None:
            errors.append(
                f"{_where(entry)} must have an atom:summary: its atom:content "
                + ("has a src attribute" if content.get("src") is not None else "is Base64")
            )


def _check_alternate_links(parent: Any, errors: list[str]) -> None:
    """RFC 4287 4.1.1 / 4.1.2: no two rel=alternate links with the same type and hreflang."""
    seen: set[tuple[str | None, str | None]] = set()
    for link in parent.findall(_A + "link"):
        if link.get("rel", "alternate") not in _ALTERNATE:
            continue
        key = (link.get("type"), link.get("hreflang"))
        if key in seen:
            errors.append(
                f"{_where(parent)} has two atom:link rel=alternate with type={key[0]!r} "
                f"and hreflang={key[1]!r}"
            )
        seen.add(key)


def validate_atom(data: bytes) -> list[str]:
    """Validate an Atom Feed (or Entry) Document; return its errors, [] if it is valid.

    Checks, in order:
    - well-formed XML (parsed without loading a DTD or an external entity, and without
      network access);
    - the RELAX NG schema of RFC 4287 Appendix B (tests/data/atom.rng);
    - the root is atom:feed or atom:entry;
    - the feed has exactly one atom:id, atom:title and atom:updated, and so has each entry;
    - the feed has an atom:author, or else every entry has one (itself or in atom:source);
    - each entry has an atom:content or an atom:link rel="alternate" (a link without rel
      counts as alternate), and an atom:summary where its content has src or is Base64;
    - no two rel="alternate" links of one feed or entry share type and hreflang;
    - every atom:id is an absolute IRI (RFC 3987), with no white space around it;
    - every atom:updated and atom:published is an RFC 3339 date-time with a "Z" or a
      numeric offset, upper-case "T" and "Z", no white space around it.
    """
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]

    errors: list[str] = []
    schema = _atom_schema()
    if not schema.validate(root):
        errors.extend(f"RELAX NG, line {entry.line}: {entry.message}" for entry in schema.error_log)

    if root.tag == _A + "feed":
        feed: Any = root
        entries = list(root.findall(_A + "entry"))
    elif root.tag == _A + "entry":
        feed = None
        entries = [root]
    else:
        errors.append(f"root element is {root.tag!r}, not atom:feed or atom:entry")
        return errors

    feed_has_author = False
    if feed is not None:
        for name in ("id", "title", "updated"):
            _check_exactly_one(feed, name, errors)
        _check_alternate_links(feed, errors)
        feed_has_author = feed.find(_A + "author") is not None
    for entry in entries:
        _check_entry(entry, feed_has_author, errors)
        _check_alternate_links(entry, errors)

    for element in root.iter(_A + "id"):
        if not is_iri(_text(element)):
            errors.append(f"{_where(element)} is not an absolute IRI: {_text(element)!r}")
    for element in root.iter(_A + "updated", _A + "published"):
        if not is_rfc3339_date_time(_text(element), upper_case=True):
            errors.append(
                f"{_where(element)} is not an RFC 3339 date-time with an offset "
                f"(upper-case T and Z, no white space): {_text(element)!r}"
            )
    return errors


# --- JSON Feed ---------------------------------------------------------------------


def _date_time_format(instance: object) -> bool:
    return not isinstance(instance, str) or is_rfc3339_date_time(instance)


def _uri_format(instance: object) -> bool:
    return not isinstance(instance, str) or is_uri(instance)


def json_feed_format_checker() -> jsonschema.FormatChecker:
    """jsonschema's format checker with "date-time" and "uri" always checked.

    jsonschema checks "date-time" only if rfc3339-validator is installed and "uri" only if
    rfc3987 is; without them it passes any string. These two are checked here in Python
    (is_rfc3339_date_time, is_uri) so the result does not depend on what is installed.
    """
    checker = jsonschema.FormatChecker()
    checks: dict[str, Callable[[object], bool]] = {
        "date-time": _date_time_format,
        "uri": _uri_format,
    }
    for name, func in checks.items():
        checker.checks(name)(func)
    return checker


@cache
def _json_feed_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(JSON_FEED_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=json_feed_format_checker())


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def validate_json_feed(data: bytes) -> list[str]:
    """Validate a JSON Feed 1.1 document; return its errors, [] if it is valid.

    The bytes must be UTF-8 JSON with no duplicate keys and no NaN or Infinity; the value
    must then match tests/data/jsonfeed-1.1.schema.json with "date-time" and "uri" (and
    jsonschema's other formats) checked, see json_feed_format_checker(). Each error reads
    "<JSON path>: <message>".
    """
    try:
        document = json.loads(
            data.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constant,
        )
    except (UnicodeDecodeError, ValueError) as exc:
        return [f"not UTF-8 JSON: {exc}"]
    validator = _json_feed_validator()
    errors = sorted(validator.iter_errors(document), key=lambda e: (e.json_path, e.message))
    return [f"{error.json_path}: {error.message}" for error in errors]
