"""salvage: a damaged document is known to be damaged, and only its whole items are read."""

from __future__ import annotations

import time

import pytest

from conftest import DATA
from rsspress.parse import parse_feed

REALWORLD = DATA / "realworld"


def rss(*items: str, head: str = "<rss><channel><title>c</title>", tail: str = "</channel></rss>") -> bytes:  # fmt: skip
    return (head + "".join(items) + tail).encode("utf-8")


def it(title: str, body: str = "正文") -> str:
    return (
        f"<item><title>{title}</title><description>{body}</description><guid>{title}</guid>"
        "<pubDate>Sat, 15 Mar 2025 00:30:00 GMT</pubDate></item>"
    )


# (document, titles read, start of the damage message or None, items held back)
CASES: dict[str, tuple[bytes, list[str], str | None, int]] = {
    "well-formed": (rss(it("一"), it("二")), ["一", "二"], None, 0),
    "cut inside the last item's title": (
        rss(it("一"), tail="<item><title>Hello wor"),
        ["一"],
        "line 1, column",
        1,
    ),
    "cut in a half-written CDATA": (
        rss(it("一"), tail="<item><title><![CD"),
        ["一"],
        "line 1, column",
        1,
    ),
    "a half-written CDATA in a whole document": (
        rss(it("一"), "<item><title><![CD</title><guid>x</guid></item>", it("三")),
        ["一", "三"],
        "line 1, column",
        1,
    ),
    "an unterminated CDATA swallows the rest": (
        rss(it("一"), "<item><title><![CDATA[半截</title></item>", it("三")),
        ["一"],
        "line 1, column",
        1,
    ),
    "raw <br> in a body": (
        rss(it("一"), it("二", "一行<br>又一行"), it("三")),
        ["一", "三"],
        "line 1, column",
        1,
    ),
    "an item that lost its end tag": (
        rss(it("一"), it("二").removesuffix("</item>"), it("三")),
        ["一", "三"],
        "line 1, column",
        1,
    ),
    "an unescaped < in a title": (rss(it("a < b"), it("二")), ["二"], "line 1, column", 1),
    "a control character: dropped, the item is whole": (
        rss(it("换了\x0b键盘"), it("二")),
        ["换了键盘", "二"],
        "line 1, column 46: invalid character U+000B, removed (2 in all)",
        0,
    ),
    # libxml2's recovery would also drop every entity after it: "&lt;p&gt;" would read "p".
    "a NUL, then escaped markup": (
        rss(it("一\x00"), it("&lt;b&gt;二&lt;/b&gt;", "&lt;p&gt;正文&lt;/p&gt;")),
        ["一", "<b>二</b>"],
        "line 1, column 45: invalid character U+0000, removed (2 in all)",
        0,
    ),
    "an item closed twice: its end was cut": (
        rss(it("一"), it("二").replace("</description>", "</description></item>"), it("三")),
        ["一", "三"],
        "line 1, column",
        1,
    ),
    "content after the root element": (
        rss(it("一"), tail="</channel></rss><script>x()</script>"),
        ["一"],
        "line 1, column",
        0,
    ),
    "an undeclared namespace prefix is not damage": (
        rss("<item><title>一</title><dc:creator>王</dc:creator><guid>1</guid></item>"),
        ["一"],
        None,
        0,
    ),
    "cut inside the channel: nothing whole": (
        b"<rss><channel><title>c</tit",
        [],
        "line 1, column",
        0,
    ),
}


@pytest.mark.parametrize("native", [False, True], ids=["date text", "native extractor"])
@pytest.mark.parametrize("case", CASES)
def test_damage_is_reported_and_only_whole_items_are_read(case: str, native: bool) -> None:
    document, titles, damage, held_back = CASES[case]
    parsed = parse_feed(document, "http://x.test/feed", date_text=not native)
    assert [i.title for i in parsed.items] == titles
    if damage is None:
        assert parsed.damage is None
    else:
        assert parsed.damage is not None and parsed.damage.startswith(damage)
    assert parsed.held_back == held_back


@pytest.mark.parametrize(
    ("name", "titles", "held_back"),
    [
        (
            "truncated-cdata.xml",
            [
                "派早报：苹果发布新款 MacBook Air、iPad Air 等",
                "我用 Obsidian 管理读书笔记的三年",
                "AirPods Pro 2 听力健康功能上手：它真的能当助听器吗？",
            ],
            1,
        ),
        (
            "truncated-body.xml",
            ["派早报：苹果发布新款 MacBook Air、iPad Air 等", "我用 Obsidian 管理读书笔记的三年"],
            1,
        ),
        ("malformed-unclosed-br.xml", ["周末去爬了香山", "二月读书小结"], 1),
        ("malformed-missing-end-tag.xml", ["周末去爬了香山", "二月读书小结"], 1),
        (
            "malformed-control-char.xml",
            ["周末去爬了香山", "换了一个新键盘（上）", "二月读书小结"],
            0,
        ),
    ],
)
def test_whole_items_read_as_in_the_undamaged_document(
    name: str, titles: list[str], held_back: int
) -> None:
    """Each whole item of a damaged file is exactly the item of the file it came from."""
    damaged = parse_feed((REALWORLD / name).read_bytes(), "http://x.test/feed")
    source = "truncated-full.xml" if name.startswith("truncated") else "malformed-unclosed-br.xml"
    whole = {i.guid: i for i in parse_feed((REALWORLD / source).read_bytes(), "x").items}
    assert [i.title for i in damaged.items] == titles
    assert damaged.held_back == held_back and damaged.damage
    for item in damaged.items:
        if name != "malformed-control-char.xml":
            assert item == whole[item.guid]


def test_the_truncated_files_are_prefixes_of_the_whole_one() -> None:
    whole = (REALWORLD / "truncated-full.xml").read_bytes()
    for name in ("truncated-cdata.xml", "truncated-body.xml"):
        cut = (REALWORLD / name).read_bytes()
        assert whole.startswith(cut) and len(cut) < len(whole)


def test_salvage_stays_linear_on_hostile_documents() -> None:
    started = time.perf_counter()
    many = rss(*(it(f"条目 {n}") for n in range(20_000)), tail="<item><title>cut")
    parsed = parse_feed(many, "http://x.test/feed", date_text=False)
    assert len(parsed.items) == 20_000 and parsed.held_back == 1
    deep = b"<rss><channel>" + b"<a>" * 50_000 + b"</b>" * 50_000 + b"<item><title>x"
    parse_feed(deep, "http://x.test/feed")
    brackets = (
        b"<rss><channel><item><title>" + b"<!" * 100_000 + b"</title></item>" + b"<" * 100_000
    )
    parse_feed(brackets, "http://x.test/feed")
    assert time.perf_counter() - started < 20
