"""How an item is known for ever: its key. Pure: no I/O.

An item's *base* is what every release has used as its key: its guid, else
its link, else a hash of its title and body. A base identifies an item unless
several items of one document share it: a site that links every item to its
news page, a podcast whose episodes all link to the show, a bot that gives
every post the same guid. Keys are then assigned per document:

1. Items sharing a base are grouped, and copies of one item (no field tells
   them apart: see :func:`_same_item`) are merged, keeping the most complete
   copy (a title, a body, the longer body).
2. A base shared by one item only keeps its plain key, exactly as before: a
   state written by an earlier release recognizes every such item.
3. When a base is shared by distinct items, each gets the base *qualified*
   with a fingerprint of the fields that tell it apart:
   ``link#<16 hex>:<link>`` (also ``guid#`` and ``hash#``). The fingerprint
   is of the title, link and enclosures; only when these are equal for two
   items of the document does it take in the date, then the body text too.
   Dates are last because some sites stamp every item with the time the feed
   was generated.
4. Once the state holds a qualified key of a base, the base stays qualified
   in later documents too, even when a fetch shows it on one item only: the
   link is known not to identify its items.

Keys already stored keep working. An item of a shared base is known when one
of its possible keys (every fingerprint variant, and the plain base) is
stored; a stored key that several items of the document could claim (the
plain key an earlier release gave the one item it published out of many)
goes to the item whose title and date agree with what the state remembers of
it, so that item is not published again and its siblings are published now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rsspress.parse import FeedItem


class Remembered(NamedTuple):
    """What the state remembers of a known item, to recognize it under another key."""

    title: str
    date: str | None  # ISO 8601, as stored


KnownItems = Mapping[str, Remembered]


@dataclass(frozen=True)
class KeyedItem:
    key: str
    item: FeedItem
    known: bool  # already published or dropped: never again


def base_key(item: FeedItem) -> str:
    """The key every release before qualified keys gave an item: guid, link or text."""
    if item.guid:
        return "guid:" + item.guid
    if item.link:
        return "link:" + item.link
    digest = hashlib.sha256((item.title + "\x00" + item.content_html).encode("utf-8"))
    return "hash:" + digest.hexdigest()


_QUALIFIED = re.compile(r"(guid|link|hash)#[0-9a-f]{16}:")


def qualified_base(key: str) -> str | None:
    """The base of a qualified key (``link#…:x`` → ``link:x``); None for a plain key."""
    match = _QUALIFIED.match(key)
    return f"{match.group(1)}:{key[match.end() :]}" if match else None


def keyed_items(items: Iterable[FeedItem], known: KnownItems) -> list[KeyedItem]:
    """Each distinct item of a document once, in document order, with its key."""
    groups: dict[str, list[tuple[int, FeedItem]]] = {}
    for position, item in enumerate(items):
        groups.setdefault(base_key(item), []).append((position, item))
    # Only a state that has qualified keys needs scanning for them.
    shared_before = (
        {base for key in known if (base := qualified_base(key)) is not None}
        if any("#" in key[:5] for key in known)
        else set()
    )
    out: list[tuple[int, KeyedItem]] = []
    for base, members in groups.items():
        if len(members) == 1 and base not in shared_before:  # the usual case: nothing to compare
            position, item = members[0]
            out.append((position, KeyedItem(base, item, base in known)))
            continue
        clusters = _clusters(base, members)
        if len(clusters) == 1 and base not in shared_before:
            only = clusters[0]
            out.append((only.order, KeyedItem(base, only.best, base in known)))
        else:
            out.extend(_qualified(base, clusters, known))
    out.sort(key=lambda pair: pair[0])
    return [keyed for _, keyed in out]


# -- telling items apart ---------------------------------------------------------------

_TAG = re.compile(r"<[^<>]*>")  # stops at the next "<": linear
# Copies are looked up by their bodies' first characters.
_SAME_TEXT_PREFIX = 200
# The characters a summary may end with that its full text has not ("…", "阅读全文").
_SUMMARY_TAIL = 16
# Each item is compared with at most this many candidate copies: linear in any document.
_MAX_CANDIDATES = 16


@dataclass(frozen=True)
class _Facts:
    title: str
    link: str
    enclosures: tuple[str, ...]
    date: str  # UTC ISO 8601, '' when none
    text: str  # the body as plain text, whitespace collapsed

    @classmethod
    def of(cls, item: FeedItem) -> _Facts:
        text = " ".join(html.unescape(_TAG.sub(" ", item.content_html)).split())
        date = item.date.astimezone(dt.UTC).isoformat() if item.date else ""
        return cls(" ".join(item.title.split()), item.link or "", item.enclosure_urls, date, text)


def _differ(a: object, b: object) -> bool:
    return bool(a) and bool(b) and a != b


def _texts_differ(a: str, b: str) -> bool:
    """Neither body begins the other: a summary (its last characters may be an ellipsis
    or a "read more") begins the full text."""
    n = min(len(a), len(b))
    n = n - _SUMMARY_TAIL if n > 4 * _SUMMARY_TAIL else n
    return n > 0 and a[:n] != b[:n]


def _same_item(kind: str, a: _Facts, b: _Facts) -> bool:
    """Whether two items sharing a base are copies of one item.

    They are not when a field both have differs: title, link, enclosures; for
    a link or text base also the date or the body. A guid is meant to
    identify an item, so copies under one guid may differ in their date or
    their body (an update), not in both; untitled ones are told apart by
    their bodies.
    """
    if _differ(a.title, b.title) or _differ(a.link, b.link) or _differ(a.enclosures, b.enclosures):
        return False
    if kind == "guid":
        if not a.title and not b.title:
            return not _texts_differ(a.text, b.text)
        return not (_differ(a.date, b.date) and _texts_differ(a.text, b.text))
    return not _differ(a.date, b.date) and not _texts_differ(a.text, b.text)


def _completeness(item: FeedItem) -> tuple[bool, bool, int]:
    return (bool(item.title.strip()), bool(item.content_html.strip()), len(item.content_html))


@dataclass
class _Cluster:
    """Copies of one item: the first one's place in the document, the most complete one."""

    order: int
    best: FeedItem
    facts: _Facts  # each field from the first copy that has it
    indexed: set[tuple[str, str]] = field(default_factory=set)  # (index, value) it is listed in

    @property
    def blank(self) -> bool:
        return not self.facts.title and not self.facts.text

    def add(self, item: FeedItem, facts: _Facts) -> None:
        if _completeness(item) > _completeness(self.best):
            self.best = item
        mine = self.facts
        self.facts = _Facts(
            mine.title or facts.title,
            mine.link or facts.link,
            mine.enclosures or facts.enclosures,
            mine.date or facts.date,
            mine.text or facts.text,
        )


def _clusters(base: str, members: Sequence[tuple[int, FeedItem]]) -> list[_Cluster]:
    """The distinct items among those sharing ``base``; each keeps its copies' best."""
    kind = base.partition(":")[0]
    if kind == "guid" and all(item.guid == item.link for _, item in members):
        kind = "link"  # a permalink (or fastfeedparser's id for an item with a link only)
    clusters: list[_Cluster] = []
    # Candidate copies are looked up by title and by the body's first characters; an
    # item with neither may be a copy of any, and any may be a copy of one with neither.
    index: dict[tuple[str, str], list[_Cluster]] = {}
    blank: dict[int, _Cluster] = {}  # by id: removed from in constant time
    for position, item in members:
        facts = _Facts.of(item)
        candidates = [
            *index.get(("title", facts.title), ())[:_MAX_CANDIDATES],
            *index.get(("text", facts.text[:_SAME_TEXT_PREFIX]), ())[:_MAX_CANDIDATES],
            *itertools.islice(blank.values(), _MAX_CANDIDATES),
        ]
        if not facts.title and not facts.text:
            candidates += clusters[:_MAX_CANDIDATES]
        home = next((c for c in candidates if _same_item(kind, c.facts, facts)), None)
        if home is None:
            home = _Cluster(position, item, facts)
            clusters.append(home)
            if home.blank:
                blank[id(home)] = home
        else:
            was_blank = home.blank
            home.add(item, facts)
            if was_blank and not home.blank:
                del blank[id(home)]
        for entry in (("title", home.facts.title), ("text", home.facts.text[:_SAME_TEXT_PREFIX])):
            if entry[1] and entry not in home.indexed:
                home.indexed.add(entry)
                index.setdefault(entry, []).append(home)
    return clusters


# -- qualified keys ---------------------------------------------------------------------

_VARIANTS = 4  # title+link+enclosures; + date; + body text; + both


def _fingerprint(base: str, facts: _Facts, variant: int) -> str:
    parts = [str(variant), base, facts.title, facts.link, "\x1e".join(facts.enclosures)]
    if variant in (1, 3):
        parts.append(facts.date)
    if variant in (2, 3):
        parts.append(hashlib.sha256(facts.text.encode("utf-8")).hexdigest())
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _qualify(base: str, fingerprint: str) -> str:
    kind, _, value = base.partition(":")
    return f"{kind}#{fingerprint}:{value}"


@dataclass
class _Candidate:
    cluster: _Cluster
    keys: list[str] = field(default_factory=list)  # every variant, in order
    key: str = ""  # the one it is stored under when new
    known: bool = False


def _qualified(
    base: str, clusters: list[_Cluster], known: KnownItems
) -> list[tuple[int, KeyedItem]]:
    candidates = [
        _Candidate(c, [_qualify(base, _fingerprint(base, c.facts, v)) for v in range(_VARIANTS)])
        for c in clusters
    ]
    # Stored under the first variant no other item of the document shares.
    for variant in range(_VARIANTS):
        counts: dict[str, int] = {}
        for candidate in candidates:
            counts[candidate.keys[variant]] = counts.get(candidate.keys[variant], 0) + 1
        for candidate in candidates:
            if not candidate.key and counts[candidate.keys[variant]] == 1:
                candidate.key = candidate.keys[variant]
    for n, candidate in enumerate(candidates):
        if not candidate.key:  # equal in every field we compare, yet not copies
            candidate.key = _qualify(base, _fingerprint(base, candidate.cluster.facts, n + 100))
    # Known: a stored key claimed by one item is that item's; a stored key several could
    # claim goes to the one that agrees with what the state remembers of it.
    claims: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        for key in dict.fromkeys([*candidate.keys, candidate.key, base]):
            if key in known:
                claims.setdefault(key, []).append(candidate)
    for key, claimants in claims.items():
        if len(claimants) == 1 and key != base:
            claimants[0].known = True
    for key, claimants in claims.items():
        if len(claimants) > 1 or key == base:
            owner = _owner(known[key], [c for c in claimants if not c.known])
            if owner is not None:
                owner.known = True
    return [(c.cluster.order, KeyedItem(c.key, c.cluster.best, c.known)) for c in candidates]


def _owner(remembered: Remembered, claimants: list[_Candidate]) -> _Candidate | None:
    """The item a stored key names: its title and date agree with the stored ones."""
    title = " ".join(remembered.title.split())
    date = _utc(remembered.date)
    agreeing = [
        c
        for c in claimants
        if not _differ(title, c.cluster.facts.title) and not _differ(date, c.cluster.facts.date)
    ]
    exact = [c for c in agreeing if c.cluster.facts.title == title and c.cluster.facts.date == date]
    best = exact or agreeing
    return best[0] if best else None


def _utc(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(iso)
    except ValueError:
        return ""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat()
