"""The feed validators of tests/feedcheck.py pass valid feeds and fail broken ones."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lxml import etree

from feedcheck import (
    ATOM_RNG,
    JSON_FEED_SCHEMA,
    is_iri,
    is_rfc3339_date_time,
    is_uri,
    json_feed_format_checker,
    validate_atom,
    validate_json_feed,
)

VALID_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Feed</title>
  <link href="https://example.org/"/>
  <link rel="self" href="https://example.org/atom.xml"/>
  <updated>2024-03-01T08:00:00+08:00</updated>
  <author><name>编辑部</name></author>
  <id>https://example.org/</id>
  <entry>
    <title>第一篇</title>
    <id>tag:example.org,2024:1</id>
    <updated>2024-03-01T08:00:00Z</updated>
    <link rel="alternate" type="text/html" href="https://example.org/posts/1/"/>
    <content type="html">&lt;p&gt;正文&lt;/p&gt;</content>
  </entry>
</feed>
"""

# The second example of RFC 4287 section 1.1, with two extension elements added.
RFC_EXAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">dive into mark</title>
  <subtitle type="html">
    A &lt;em&gt;lot&lt;/em&gt; of effort
    went into making this effortless
  </subtitle>
  <updated>2005-07-31T12:29:29Z</updated>
  <id>tag:example.org,2003:3</id>
  <link rel="alternate" type="text/html" hreflang="en" href="http://example.org/"/>
  <link rel="self" type="application/atom+xml" href="http://example.org/feed.atom"/>
  <rights>Copyright (c) 2003, Mark Pilgrim</rights>
  <generator uri="http://www.example.com/" version="1.0">
    Example Toolkit
  </generator>
  <entry>
    <title>Atom draft-07 snapshot</title>
    <link rel="alternate" type="text/html" href="http://example.org/2005/04/02/atom"/>
    <link rel="enclosure" type="audio/mpeg" length="1337"
     href="http://example.org/audio/ph34r_my_podcast.mp3"/>
    <id>tag:example.org,2003:3.2397</id>
    <updated>2005-07-31T12:29:29Z</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <author>
      <name>Mark Pilgrim</name>
      <uri>http://example.org/</uri>
      <email>f8dy@example.com</email>
    </author>
    <contributor><name>Sam Ruby</name></contributor>
    <contributor><name>Joe Gregorio</name></contributor>
    <content type="xhtml" xml:lang="en" xml:base="http://diveintomark.org/">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p><i>[Update: The Atom draft is finished.]</i></p>
      </div>
    </content>
    <dc:subject xmlns:dc="http://purl.org/dc/elements/1.1/">Atom</dc:subject>
    <media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="http://example.org/t.png"/>
  </entry>
</feed>
"""


def atom(old: str, new: str, base: str = VALID_ATOM) -> bytes:
    """VALID_ATOM with `old` replaced by `new`; `old` must occur in it exactly once."""
    assert base.count(old) == 1, old
    return base.replace(old, new).encode("utf-8")


def assert_fails(errors: list[str], *expected: str) -> None:
    assert errors, "expected the document to fail validation"
    text = "\n".join(errors)
    for part in expected:
        assert part in text, f"{part!r} not in:\n{text}"


# --- Atom --------------------------------------------------------------------------


def test_atom_schema_loads_with_relaxng_file() -> None:
    schema = etree.RelaxNG(file=str(ATOM_RNG))
    assert schema.validate(etree.fromstring(VALID_ATOM.encode()))


def test_valid_atom_passes() -> None:
    assert validate_atom(VALID_ATOM.encode("utf-8")) == []


def test_rfc_example_with_xhtml_content_and_extensions_passes() -> None:
    assert validate_atom(RFC_EXAMPLE.encode("utf-8")) == []


def test_atom_entry_document_passes() -> None:
    entry = """<entry xmlns="http://www.w3.org/2005/Atom">
      <title>t</title><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
      <updated>2003-12-13T18:30:02.25+01:00</updated><author><name>A</name></author>
      <summary>s</summary><content src="https://example.org/a.mp3" type="audio/mpeg"/>
    </entry>"""
    assert validate_atom(entry.encode()) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            "<id>https://example.org/</id>",
            "",
            ["atom:feed (line 2) must contain exactly one atom:id, has 0", "RELAX NG"],
            id="feed-missing-id",
        ),
        pytest.param(
            "<id>tag:example.org,2024:1</id>",
            "",
            ["must contain exactly one atom:id, has 0"],
            id="entry-missing-id",
        ),
        pytest.param(
            "<id>tag:example.org,2024:1</id>",
            "<id>tag:example.org,2024:1</id><id>tag:example.org,2024:2</id>",
            ["must contain exactly one atom:id, has 2"],
            id="entry-two-ids",
        ),
        pytest.param(
            "<updated>2024-03-01T08:00:00+08:00</updated>",
            "",
            ["atom:feed (line 2) must contain exactly one atom:updated, has 0"],
            id="feed-missing-updated",
        ),
        pytest.param(
            "<updated>2024-03-01T08:00:00Z</updated>",
            "",
            ["must contain exactly one atom:updated, has 0"],
            id="entry-missing-updated",
        ),
        pytest.param(
            "<title>第一篇</title>",
            "",
            ["must contain exactly one atom:title, has 0"],
            id="entry-missing-title",
        ),
        pytest.param(
            "2024-03-01T08:00:00Z",
            "2024-03-01 08:00",
            ["RELAX NG", "is not an RFC 3339 date-time", "'2024-03-01 08:00'"],
            id="bad-date",
        ),
        pytest.param(
            "2024-03-01T08:00:00Z",
            "2024-02-30T08:00:00Z",
            ["is not an RFC 3339 date-time", "'2024-02-30T08:00:00Z'"],
            id="impossible-date",
        ),
        pytest.param(
            "<updated>2024-03-01T08:00:00Z</updated>",
            "<updated>2024-03-01T08:00:00Z</updated><published>2024-03-01T08:00</published>",
            ["atom:published (line 12) is not an RFC 3339 date-time"],
            id="bad-published",
        ),
        pytest.param(
            '<link rel="alternate" type="text/html" href="https://example.org/posts/1/"/>\n'
            '    <content type="html">&lt;p&gt;正文&lt;/p&gt;</content>',
            '<link rel="related" href="https://example.org/posts/1/"/>',
            ["has neither atom:content nor an atom:link rel=alternate"],
            id="entry-without-content-or-alternate",
        ),
        pytest.param(
            "<author><name>编辑部</name></author>",
            "",
            ["has no atom:author, and neither has its feed nor its atom:source"],
            id="no-author",
        ),
        pytest.param(
            "<id>tag:example.org,2024:1</id>",
            "<id>/posts/1/</id>",
            ["is not an absolute IRI: '/posts/1/'"],
            id="relative-id",
        ),
        pytest.param(
            "<id>https://example.org/</id>",
            "<id>https://example.org/a b</id>",
            ["is not an absolute IRI: 'https://example.org/a b'"],
            id="id-with-space",
        ),
        pytest.param(
            'xmlns="http://www.w3.org/2005/Atom"',
            'xmlns="http://purl.org/atom/ns#"',
            ["RELAX NG", "not atom:feed or atom:entry"],
            id="wrong-namespace",
        ),
        pytest.param(
            "<title>Example Feed</title>",
            '<title type="xhtml">Example Feed</title>',
            ["RELAX NG"],
            id="xhtml-title-without-div",
        ),
        pytest.param(
            '<content type="html">',
            '<content type="html"><b>bold</b>',
            ["RELAX NG"],
            id="element-in-html-content",
        ),
        pytest.param(
            "</entry>",
            "<unknown/></entry>",
            ["RELAX NG"],
            id="unknown-atom-element",
        ),
        pytest.param(
            "</feed>",
            "",
            ["not well-formed XML"],
            id="not-well-formed",
        ),
    ],
)
def test_broken_atom_fails(old: str, new: str, expected: list[str]) -> None:
    assert_fails(validate_atom(atom(old, new)), *expected)


@pytest.mark.parametrize(
    ("value", "relaxng_accepts"),
    [
        pytest.param("2024-03-01T08:00:00", True, id="no-offset"),
        # xsd:dateTime collapses white space first; RFC 4287 section 3.3 allows none.
        pytest.param(" 2024-03-01T08:00:00Z", True, id="leading-space"),
        pytest.param("2024-03-01T08:00:00+8:00", False, id="one-digit-offset-hour"),
    ],
)
def test_updated_must_be_rfc3339_with_offset(value: str, relaxng_accepts: bool) -> None:
    errors = validate_atom(atom("2024-03-01T08:00:00Z", value))
    assert_fails(errors, "atom:updated (line 12) is not an RFC 3339 date-time")
    relaxng_errors = [error for error in errors if error.startswith("RELAX NG")]
    assert (not relaxng_errors) is relaxng_accepts


def test_extra_rules_catch_what_relaxng_lets_through() -> None:
    """RELAX NG alone passes these; the RFC's prose rules do not."""
    schema = etree.RelaxNG(file=str(ATOM_RNG))
    for old, new in [
        (
            '<link rel="alternate" type="text/html" href="https://example.org/posts/1/"/>\n'
            '    <content type="html">&lt;p&gt;正文&lt;/p&gt;</content>',
            '<link rel="related" href="https://example.org/posts/1/"/>',
        ),
        ("<author><name>编辑部</name></author>", ""),
        ("<id>tag:example.org,2024:1</id>", "<id>not an iri</id>"),
        ("2024-03-01T08:00:00Z", "2024-03-01T08:00:00"),
    ]:
        document = atom(old, new)
        assert schema.validate(etree.fromstring(document)), new
        assert validate_atom(document), new


def test_feed_author_may_come_from_every_entry_or_its_source() -> None:
    no_feed_author = VALID_ATOM.replace("<author><name>编辑部</name></author>", "")
    entry_author = atom(
        "<title>第一篇</title>",
        "<title>第一篇</title><author><name>A</name></author>",
        base=no_feed_author,
    )
    assert validate_atom(entry_author) == []
    source = "<source><id>https://other.example/</id><author><name>B</name></author></source>"
    source_author = atom("</entry>", source + "</entry>", base=no_feed_author)
    assert validate_atom(source_author) == []


def test_link_without_rel_counts_as_alternate() -> None:
    document = atom(
        '<link rel="alternate" type="text/html" href="https://example.org/posts/1/"/>\n'
        '    <content type="html">&lt;p&gt;正文&lt;/p&gt;</content>',
        '<link href="https://example.org/posts/1/"/>',
    )
    assert validate_atom(document) == []


def test_out_of_line_content_needs_summary() -> None:
    document = atom(
        '<content type="html">&lt;p&gt;正文&lt;/p&gt;</content>',
        '<content type="audio/mpeg" src="https://example.org/a.mp3"/>',
    )
    assert_fails(validate_atom(document), "must have an atom:summary")


def test_two_alternates_with_same_type_and_hreflang_fail() -> None:
    link = '<link rel="alternate" type="text/html" href="https://example.org/posts/1/"/>'
    document = atom(link, link + link.replace("/1/", "/1/copy/"))
    assert_fails(validate_atom(document), "has two atom:link rel=alternate")


def test_external_entity_is_not_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("Example Feed", encoding="utf-8")
    document = atom(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<!DOCTYPE feed [<!ENTITY x SYSTEM "{secret.as_uri()}">]>',
    ).replace(b"<title>Example Feed</title>", b"<title>&x;</title>")
    # Had the file been read, the feed would be the valid VALID_ATOM.
    assert_fails(validate_atom(document), "not well-formed XML", "Entity 'x' not defined")


def test_internal_entity_is_expanded() -> None:
    document = atom(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE feed [<!ENTITY x "Example Feed">]>',
    ).replace(b"<title>Example Feed</title>", b"<title>&x;</title>")
    assert validate_atom(document) == []


# --- JSON Feed ---------------------------------------------------------------------

VALID_JSON_FEED: dict[str, Any] = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Example Feed",
    "home_page_url": "https://example.org/",
    "feed_url": "https://example.org/feed.json",
    "language": "zh-CN",
    "authors": [{"name": "编辑部", "url": "https://example.org/about/"}],
    "_rsspress": {"source": "rsshub"},
    "items": [
        {
            "id": "https://example.org/posts/1/",
            "url": "https://example.org/posts/1/",
            "title": "第一篇",
            "content_html": "<p>正文</p>",
            "date_published": "2024-03-01T08:00:00+08:00",
            "date_modified": "2024-03-01T00:00:00Z",
            "tags": ["新闻"],
            "attachments": [
                {"url": "https://example.org/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 1}
            ],
        }
    ],
}


Change = Callable[[dict[str, Any]], None]


def json_feed(change: Change | None = None) -> bytes:
    """VALID_JSON_FEED as UTF-8, after `change` (a function of a deep copy) ran on it."""
    feed = copy.deepcopy(VALID_JSON_FEED)
    if change is not None:
        change(feed)
    return json.dumps(feed, ensure_ascii=False).encode("utf-8")


def test_json_feed_schema_is_a_valid_2020_12_schema() -> None:
    schema = json.loads(JSON_FEED_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


def test_valid_json_feed_passes() -> None:
    assert validate_json_feed(json_feed()) == []


def test_minimal_json_feed_passes() -> None:
    minimal = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "1", "content_text": "hello"}],
    }
    assert validate_json_feed(json.dumps(minimal).encode()) == []


def test_format_checker_really_checks_date_time_and_uri() -> None:
    checker = json_feed_format_checker()
    assert {"date-time", "uri"} <= set(checker.checkers)
    assert checker.conforms("2024-03-01T08:00:00Z", "date-time")
    assert not checker.conforms("2024-03-01", "date-time")
    assert not checker.conforms("yesterday", "date-time")
    assert checker.conforms("https://example.org/a?b=c#d", "uri")
    assert not checker.conforms("not a uri", "uri")
    assert not checker.conforms("/relative/path", "uri")


def _set(path: list[str | int], value: Any) -> Change:
    def change(feed: Any) -> None:
        for key in path[:-1]:
            feed = feed[key]
        feed[path[-1]] = value

    return change


def _delete(path: list[str | int]) -> Change:
    def change(feed: Any) -> None:
        for key in path[:-1]:
            feed = feed[key]
        del feed[path[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(_delete(["version"]), "$: 'version' is a required property", id="no-version"),
        pytest.param(
            _set(["version"], "https://jsonfeed.org/version/1"),
            "$.version: 'https://jsonfeed.org/version/1.1' was expected",
            id="wrong-version",
        ),
        pytest.param(_delete(["title"]), "'title' is a required property", id="no-title"),
        pytest.param(_delete(["items"]), "'items' is a required property", id="no-items"),
        pytest.param(
            _delete(["items", 0, "id"]), "$.items[0]: 'id' is a required property", id="item-no-id"
        ),
        pytest.param(
            _set(["items", 0, "id"], 1), "$.items[0].id: 1 is not of type 'string'", id="numeric-id"
        ),
        pytest.param(
            _delete(["items", 0, "content_html"]),
            "$.items[0]: ",
            id="item-no-content",
        ),
        pytest.param(
            _set(["items", 0, "date_published"], "2024-03-01 08:00:00"),
            "$.items[0].date_published: '2024-03-01 08:00:00' is not a 'date-time'",
            id="bad-date-published",
        ),
        pytest.param(
            _set(["items", 0, "date_modified"], "2024-03-01T08:00:00"),
            "$.items[0].date_modified: '2024-03-01T08:00:00' is not a 'date-time'",
            id="date-without-offset",
        ),
        pytest.param(
            _set(["items", 0, "url"], "/posts/1/"),
            "$.items[0].url: '/posts/1/' is not a 'uri'",
            id="relative-url",
        ),
        pytest.param(
            _set(["home_page_url"], "example dot org"),
            "$.home_page_url: 'example dot org' is not a 'uri'",
            id="non-uri-url",
        ),
        pytest.param(
            _set(["items", 0, "image"], "https://example.org/图.png"),
            "is not a 'uri'",
            id="non-ascii-url",
        ),
        pytest.param(
            _set(["favicon"], "https://"),
            "$.favicon: 'https://' is not a 'uri'",
            id="url-without-host",
        ),
        pytest.param(
            _set(["generator"], "rsspress"),
            "$: 'generator' does not match any of the regexes: '^_[A-Za-z]'",
            id="unknown-top-level-key",
        ),
        pytest.param(
            _set(["items", 0, "body"], "x"),
            "$.items[0]: 'body' does not match any of the regexes: '^_[A-Za-z]'",
            id="unknown-item-key",
        ),
        pytest.param(
            _set(["_"], "x"),
            "$: '_' does not match any of the regexes: '^_[A-Za-z]'",
            id="underscore-alone-is-no-extension",
        ),
        pytest.param(
            _set(["authors"], [{}]),
            "$.authors[0]: ",
            id="empty-author",
        ),
        pytest.param(
            _delete(["items", 0, "attachments", 0, "mime_type"]),
            "$.items[0].attachments[0]: 'mime_type' is a required property",
            id="attachment-no-mime-type",
        ),
        pytest.param(
            _set(["items", 0, "tags"], "新闻"),
            "$.items[0].tags: '新闻' is not of type 'array'",
            id="tags-not-array",
        ),
        pytest.param(
            _set(["expired"], "no"),
            "$.expired: 'no' is not of type 'boolean'",
            id="expired-not-boolean",
        ),
        pytest.param(
            _set(["hubs"], [{"type": "WebSub"}]),
            "$.hubs[0]: 'url' is a required property",
            id="hub-without-url",
        ),
    ],
)
def test_broken_json_feed_fails(change: Change, expected: str) -> None:
    assert_fails(validate_json_feed(json_feed(change)), expected)


def test_extensions_are_allowed_everywhere() -> None:
    def change(feed: dict[str, Any]) -> None:
        feed["_x"] = {"about": "https://example.org/x"}
        feed["items"][0]["_x"] = 1
        feed["authors"][0]["_x"] = 1
        feed["items"][0]["attachments"][0]["_x"] = 1

    assert validate_json_feed(json_feed(change)) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(b"{", "not UTF-8 JSON", id="not-json"),
        pytest.param('{"title": "é"}'.encode("latin-1"), "not UTF-8 JSON", id="not-utf-8"),
        pytest.param(b'{"title": "a", "title": "b"}', "duplicate key 'title'", id="duplicate-key"),
        pytest.param(b'{"title": NaN}', "NaN is not JSON", id="nan"),
    ],
)
def test_json_feed_that_is_not_json_fails(data: bytes, expected: str) -> None:
    assert_fails(validate_json_feed(data), expected)


# --- the checks behind the formats -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2003-12-13T18:30:02Z", True),
        ("2003-12-13T18:30:02.25+01:00", True),
        ("2016-12-31T23:59:60Z", True),  # leap second
        ("2003-12-13t18:30:02z", True),  # RFC 3339 allows lower case; Atom does not
        ("2003-12-13T18:30:02", False),
        ("2003-12-13", False),
        ("2003-12-13T24:00:00Z", False),
        ("2023-02-29T00:00:00Z", False),
        ("2003-12-13T18:30:02+24:00", False),
        ("2003-12-13T18:30:02Z\n", False),
        ("２００３-12-13T18:30:02Z", False),  # full-width digits
    ],
)
def test_is_rfc3339_date_time(value: str, valid: bool) -> None:
    assert is_rfc3339_date_time(value) is valid


def test_atom_dates_need_upper_case_t_and_z() -> None:
    assert not is_rfc3339_date_time("2003-12-13t18:30:02z", upper_case=True)
    assert is_rfc3339_date_time("2003-12-13T18:30:02Z", upper_case=True)


@pytest.mark.parametrize(
    ("value", "iri", "uri"),
    [
        ("https://example.org/posts/1/", True, True),
        ("tag:example.org,2003:3.2397", True, True),
        ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", True, True),
        ("mailto:editor@example.org", True, True),
        ("https://例え.jp/パス", True, False),
        ("https://example.org/%E5%9B%BE", True, True),
        ("https://example.org/%zz", False, False),
        ("/posts/1/", False, False),
        ("posts/1", False, False),
        ("https://", False, False),
        ("https://example.org:port/", False, False),
        ("https://example.org/a b", False, False),
        ("https://example.org/<x>", False, False),
        ("https://example.org/#a#b", False, False),
        ("", False, False),
    ],
)
def test_is_iri_and_is_uri(value: str, iri: bool, uri: bool) -> None:
    assert is_iri(value) is iri
    assert is_uri(value) is uri
