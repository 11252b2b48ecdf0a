"""Config errors in plain words: YAML syntax, misspelt keys, a feed tree missing a level.

PyYAML says what its parser expected ("expected <block end>, but found
'<block mapping start>'"); a user needs what is wrong with the file and how
to fix it. Each PyYAML problem we know is said again here; one we do not know
is shown without the parser's token names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import yaml

_QUOTED = "while scanning a quoted scalar"


def _plain_problem(problem: str) -> str:
    return re.sub(r"'?<([a-z ]+)>'?", r"\1", problem)


# (pattern on PyYAML's problem, plain words; {c} is the pattern's group, {begun} the
# line where the construct the parser was in began).
_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words)
    for pattern, words in (
        (r"found character '\\t' that cannot start any token",
         "a tab; YAML indents with spaces only (replace the tab with spaces)"),
        (r"found character '(.)' that cannot start any token",
         "a value cannot begin with {c}: put the value in quotes"),
        (r"found unexpected end of stream",
         "the quoted value begun on this line is never closed (its closing quote is missing)"),
        (r"found unknown escape character '(.+)'",
         "\\{c} is no escape YAML knows in double quotes: write \\\\{c}, or use single quotes"),
        (r"expected ',' or '\}', but got",
         "the {{ … }} begun on line {begun} is not closed here (a }} or a comma is missing)"),
        (r"expected ',' or '\]', but got",
         "the [ … ] begun on line {begun} is not closed here (a ] or a comma is missing)"),
        (r"expected <block end>, but found '-'",
         "a list item (- …) among the key: value lines begun on line {begun}: check the"
         " indentation"),
        (r"expected <block end>, but found",
         "this line is indented differently from the lines above it (from line {begun}):"
         " the keys of one mapping line up, each with the same number of spaces"),
        (r"mapping values are not allowed here",
         "a colon where none can be: a value holding ': ' needs quotes, or a line above"
         " lacks its own colon"),
        (r"could not find expected ':'",
         "a key without its colon (write key: value)"),
        (r"found undefined alias '(.+)'",
         "*{c} names no &{c} anchor above it: quote the value if the * is meant as text"),
        (r"but found another document",
         "a second document (after ---): a config is one document"),
        (r"expected chomping or indentation indicators",
         "after | or > only the value's lines may follow, on lines of their own:"
         " quote the value instead"),
    )
)  # fmt: skip


def yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """The line to point at and what is wrong there, in plain words."""
    problem = exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else None
    begun = exc.context_mark.line + 1 if exc.context_mark is not None else line
    if exc.context == _QUOTED and "end of stream" in problem:
        line = begun  # the end of the file is not where the mistake is
    for pattern, words in _PROBLEMS:
        match = pattern.search(problem)
        if match is not None:
            found = match.group(1) if match.groups() else ""
            return line, words.format(c=found, begun=begun)
    return line, f"YAML cannot read this: {_plain_problem(problem)}"


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """`` (did you mean `images`?)`` for a misspelt key, or nothing."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


FEED_TREE_EXAMPLE = (
    "feeds are three levels, group → site → feed name: URL, for example\n"
    "  feeds:\n"
    "    新媒体:                 # group\n"
    "      ZAKER:                # site\n"
    "        channel: rsshub:/zaker/channel/13   # feed name: URL"
)


def missing_level(level: str, value_kind: str) -> str:
    """What a feed tree with a URL where the ``level`` should be gets told."""
    return f"a mapping of {level}, but it holds {value_kind}; {FEED_TREE_EXAMPLE}"
