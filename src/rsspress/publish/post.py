"""What every post format shares: the item as a typed value, and safe YAML scalars.

The YAML rules come from spec/hexo-posts.md (measured with real Hexo 8) and
hold for Hugo and Jekyll too: titles single-quoted on one line without
control characters, so no YAML reader can see anything but a string.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import yaml
from selectolax.lexbor import LexborHTMLParser

from rsspress.dates import item_when

# Characters js-yaml refuses anywhere in front matter, even inside quotes.
_YAML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
# Line breaks YAML folds into a space inside quotes; we fold them ourselves: a run
# of white space holding one becomes one space. The run is matched from its first
# character only (the lookbehind) and without backtracking (possessive), so the
# work is linear: ``\s*[\r\n]+\s*`` took 70 s on a title of 120,000 spaces.
_LINE_BREAKS = re.compile(r"(?<!\s)[^\S\r\n\u0085\u2028\u2029]*+[\r\n\u0085\u2028\u2029]\s*+")


@dataclass(frozen=True)
class Post:
    """An item as every post format sees it."""

    title: str  # as the feed gave it; may hold entities and tags
    categories: tuple[str, str, str]  # group, site, feed
    author: str
    date_text: str | None  # the feed's own spelling of the date
    date: dt.datetime | None  # the same date, parsed, with its offset
    fallback_date: dt.datetime  # when the item has no usable date: when it was first seen
    cover: str  # the cover image, or the placeholder
    body: str  # prepared by rsspress.content
    post_id: str = ""  # decide.post_id: names the file
    link: str | None = None  # the original article
    image: str | None = None  # the cover when it is a real image of the item

    @property
    def when(self) -> dt.datetime:
        """The post's date, always with an offset."""
        return item_when(self.date, self.fallback_date)


def plain_title(raw: str) -> str:
    """Titles are plain text: entities decoded, tags dropped, one line."""
    text = raw
    if "<" in text or "&" in text:
        tree = LexborHTMLParser("<body><p>" + text)
        text = tree.body.text() if tree.body is not None else text
    return one_line(text)


def front_matter_title(raw: str) -> str:
    """A post's title for its front matter: plain text that no theme can take for markup.

    Themes print the title unescaped (Volantis into ``alt=""``, JSON-LD and share
    links; Jekyll's Liquid never escapes), so a title whose text is ``<b>`` (the
    feed double-escaped it) would become markup there, while an entity
    (``&lt;b&gt;``) would show as ``&lt;b&gt;`` in themes that do escape. Full-width
    ``＜`` ``＞`` read as the same signs in both; they replace ``<`` and ``>`` only in
    titles where a ``<`` could open a tag (``a < b``, ``<3`` stay). The HTML site and
    its feeds, which escape, keep the real signs.
    """
    title = plain_title(raw)
    if _TAG_OPENING.search(title):
        title = title.replace("<", "\uff1c").replace(">", "\uff1e")
    return title


# A "<" that an HTML parser takes for the start of a tag, a comment or a declaration.
_TAG_OPENING = re.compile("<[A-Za-z/!?]")


def one_line(text: str) -> str:
    text = _YAML_BAD.sub("", text)
    return _LINE_BREAKS.sub(" ", text).strip()


def yaml_quoted(text: str) -> str:
    """A single-quoted one-line YAML scalar (the reference's style)."""
    return "'" + one_line(text).replace("'", "''") + "'"


_PLAIN_SAFE = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#]*")
# Plain scalars that some reader of a post takes for something other than a string.
# PyYAML (YAML 1.1) is asked below; this adds what it reads as a string and others do
# not: js-yaml 4, Hexo 8's reader (YAML 1.2 core schema + timestamps and merge keys;
# its lib/type/{null,bool,int,float,timestamp,merge}.js), reads 0o17, 1e3, 1.5e3 as
# numbers; js-yaml 3 allowed "_" in numbers and base 60 (1:20); YAML 1.1 readers
# (Ruby's Psych, Go's yaml.v2) take y, n, on, off… for booleans. Quotes cost nothing,
# so everything any of them reads otherwise is quoted. ASCII digits only, as they read.
_NOT_A_STRING = re.compile(
    r"~|null|Null|NULL|<<"
    r"|[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+)"
    # 7, 012, 1_000, 1:20 (base 60), 1.5, 1., 1e3, 1.5E-3
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"  # .5, .5e3
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"  # a date, or a timestamp
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?"
)


@functools.lru_cache(maxsize=4096)
def yaml_scalar(text: str) -> str:
    """Plain when YAML reads it back as the same string, else single-quoted.

    The reference wrote categories and author plain (``- 新媒体``); a name such
    as ``C#``, ``yes`` or ``a: b`` needs quotes to stay a string.
    """
    clean = one_line(text)
    plain = clean and clean == clean.strip() and _PLAIN_SAFE.fullmatch(clean)
    if plain and not _NOT_A_STRING.fullmatch(clean):
        try:
            if yaml.safe_load(clean) == clean:
                return clean
        except yaml.YAMLError:
            pass
    return yaml_quoted(clean)
