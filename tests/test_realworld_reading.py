"""Real-world-shaped feeds, read right: encodings, titles, near-feeds, localized dates.

Each file in tests/data/realworld/ (enc-*, title-*, near-*, dates-*) copies the
quirks of a kind of real site. The real CLI fetches them all over HTTP from a
server on 127.0.0.1 (with the Content-Type such a server sends), once per state
backend, into Hexo posts (default and compat profiles) and the HTML site; the
tests then read what a reader sees: each post's title and date, the site's item
pages, its JSON Feed, Atom feed and search index, and ``rsspress status``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

from conftest import DATA, run_cli, write_config

CASES_DIR = DATA / "realworld"
UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@dataclass(frozen=True)
class Case:
    """A feed file, how its server sends it, and what a reader must see of it."""

    content_type: str
    items: tuple[tuple[str, dt.datetime | None], ...]  # (title, date); None: unreadable date
    body_text: tuple[str, ...] = ()  # text that must show, whole, in the bodies
    garbled: tuple[str, ...] = ("\ufffd", "Ã", "â€")  # what mis-decoded text shows
    extra: dict[str, str] = field(default_factory=dict)


XML = "application/xml"  # no charset: the document (or its bytes) must say
CASES: dict[str, Case] = {
    # 3. Encodings
    "enc-mixed-latin1-utf8.xml": Case(
        "application/rss+xml; charset=ISO-8859-1",
        (
            ("Brøndby vinder derbyet mod FCK: “Vi var klar”", at("2025-03-02T20:45:00+01:00")),
            ("Åbent træningspas på lørdag – kom og mød holdet", at("2025-02-28T09:00:00+01:00")),
        ),
        body_text=("udsolgt Brøndby Stadion", "(ca. 20 €)", "Lørdag kl. 10.00 åbner vi dørene"),
    ),
    "enc-utf16-bom.xml": Case(
        "text/xml",
        (
            ("第三季度财报 & 研发投入创新高", at("2024-10-24T08:30:00+00:00")),
            ("Q&A: Moving the intranet to the cloud", at("2024-10-25T10:00:00+00:00")),
        ),
        body_text=(
            "营收同比增长\xa012%，R&D 投入 5.3 亿元—创历史新高",
            "answers from the town hall ©",
        ),
    ),
    "enc-utf16-declared.xml": Case(
        XML,
        (
            ("第三季度财报 & 研发投入创新高", at("2024-10-24T08:30:00+00:00")),
            ("Q&A: Moving the intranet to the cloud", at("2024-10-25T10:00:00+00:00")),
        ),
        body_text=("营收同比增长\xa012%，R&D 投入 5.3 亿元—创历史新高",),
    ),
    "enc-shiftjis-undeclared.xml": Case(
        XML,
        (
            ("鮭と卵焼きのお弁当①", at("2024-04-08T07:12:00+09:00")),
            ("桜が満開になりました", at("2024-04-06T18:30:00+09:00")),
        ),
        body_text=("ほうれん草のおひたしを詰めました。ごはんは少なめです～",),
    ),
    "enc-eucjp.xml": Case(
        XML,
        (
            ("市立図書館、来月から開館時間を延長へ", at("2024-05-10T15:00:00+09:00")),
            ("夏祭りの日程が決まりました", at("2024-05-09T10:20:00+09:00")),
        ),
        body_text=("花火大会もあります。",),
    ),
    "enc-euckr.xml": Case(
        XML,
        (
            ("서울시, 내년 예산 44조 원 편성…복지 예산 역대 최대", at("2023-10-31T14:05:00+09:00")),
            ("[속보] 한국은행, 기준금리 연 3.50%로 동결", at("2023-10-19T10:12:00+09:00")),
        ),
        body_text=("복지 분야 예산은 역대 최대 규모다.",),
    ),
    "enc-gb18030-undeclared.xml": Case(
        XML,
        (
            ("国家统计局：10月份社会消费品零售总额同比增长7.6%", at("2023-11-15T10:00:00+08:00")),
            ("欧元兑人民币汇率跌破7.7，€1 换多少？", at("2023-11-14T21:30:00+08:00")),
        ),
        body_text=("网友热议“䶮”字怎么读。",),
    ),
    # A server that adds "charset=ISO-8859-1" to everything, in front of a GBK forum.
    "enc-gbk-server-latin1.xml": Case(
        "text/xml; charset=ISO-8859-1",
        (
            ("国家统计局：10月份社会消费品零售总额同比增长7.6%", at("2023-11-15T10:00:00+08:00")),
            ("欧元兑人民币汇率跌破7.7，€1 换多少？", at("2023-11-14T21:30:00+08:00")),
        ),
        body_text=("其中网上零售额增长明显。",),
    ),
    # 4. Titles
    "title-atom-xhtml.xml": Case(
        "application/atom+xml",
        (
            ("Using <template> in Web Components", at("2024-06-03T09:00:00+00:00")),
            ("CSS :has() & friends", at("2024-05-20T09:00:00+00:00")),
            ("Plain <text> title, Atom's default type", at("2024-05-01T09:00:00+00:00")),
        ),
    ),
    "title-missing-mastodon.xml": Case(
        "application/rss+xml; charset=utf-8",
        (
            (
                "Just shipped version 2.0 of our little feed reader!",
                at("2025-02-10T11:58:00+00:00"),
            ),
            ("今天在北京参加了开源大会，见到了很多老朋友。", at("2025-02-10T07:30:00+00:00")),
            ("@bob Thanks, that fixed it.", at("2025-02-09T19:02:00+00:00")),
            # A photo without words: named after its feed and date.
            ("title-missing-mastodon 2025-02-09 09:15", at("2025-02-09T09:15:00+00:00")),
        ),
    ),
    "title-double-escaped.xml": Case(
        "application/rss+xml",
        (
            ("Why <b> is not <strong>", at("2024-03-12T08:00:00+00:00")),
            ("Breaking: the dialog element ships everywhere", at("2024-03-11T08:00:00+00:00")),
            (
                "Option<T> and Result<T, E> for JavaScript developers",
                at("2024-03-10T08:00:00+00:00"),
            ),
            ("in a title is text & stays text", at("2024-03-09T08:00:00+00:00")),
        ),
    ),
    # 6. Near-feeds
    "near-atom-in-html.html": Case(
        "text/html; charset=utf-8",
        (
            ("Porting the renderer to WebGPU", at("2024-09-14T16:20:00+02:00")),
            ("A week of profiling", at("2024-09-02T10:00:00+02:00")),
        ),
        body_text=("Three weeks in, the triangles are back.",),
    ),
    "near-atom-escaped-in-html.html": Case(
        "text/html",
        (
            ("Porting the renderer to WebGPU", at("2024-09-14T16:20:00+02:00")),
            ("A week of profiling", at("2024-09-02T10:00:00+02:00")),
        ),
        body_text=("Most of the time goes into one loop.",),
    ),
    "near-rss-no-channel.xml": Case(
        "application/rss+xml",
        (
            ("Wasserrohrbruch in der Hauptstraße", at("2024-11-06T06:40:00+01:00")),
            ("Stromausfall im Gewerbegebiet Nord behoben", at("2024-11-05T22:10:00+01:00")),
        ),
        body_text=("Seit 22:05 Uhr sind alle Kunden wieder versorgt.",),
    ),
    # 7. Dates, in the site's language
    "dates-pt.xml": Case(
        "application/rss+xml; charset=UTF-8",
        (
            ("Palmeiras vence o clássico no Allianz Parque", at("2018-09-24T19:42:40-03:00")),
            ("Ingressos esgotados para a final", at("2018-10-03T10:00:00-03:00")),
            ("Técnico comenta a vitória", at("2018-10-06T23:15:00-03:00")),
            ("Treino aberto no sábado", None),  # "há 2 horas": dated when first seen
        ),
    ),
    "dates-es.xml": Case(
        XML,
        (
            ("El Betis ficha a un nuevo delantero", at("2018-01-10T08:00:00+01:00")),
            ("Récord de asistencia en el derbi", at("2019-12-06T23:59:59+00:00")),
        ),
    ),
    "dates-fr.xml": Case(
        XML,
        (
            ("Les travaux du tramway reprennent", at("2020-02-03T10:00:00+01:00")),
            ("Fête des Lumières : le programme", at("2019-12-17T18:00:00+00:00")),
        ),
    ),
    "dates-de.xml": Case(
        XML,
        (
            ("Neuer Radweg an der Isar eröffnet", at("2020-02-03T10:00:00+01:00")),
            ("Stadtrat beschließt Haushalt", at("2020-03-04T09:30:00+01:00")),
            ("Sommerfest im Stadtpark", at("2022-05-05T12:00:00+02:00")),
        ),
    ),
    "dates-it.xml": Case(
        XML,
        (
            ("Riapre la biblioteca dell'Archiginnasio", at("2020-03-05T10:00:00+01:00")),
            ("Nuove piste ciclabili in centro", at("2020-03-16T08:30:00+00:00")),  # no zone: UTC
        ),
    ),
    "dates-zh.xml": Case(
        XML,
        (
            ("关于2020年春节期间烟花爆竹燃放管理的通告", at("2020-01-10T14:33:00+00:00")),
            ("市政府召开常务会议", at("2020-01-08T09:05:00+00:00")),
            ("关于开展2020年度人口抽样调查的公告", at("2020-01-06T15:20:00+00:00")),
        ),
    ),
    "dates-ja.xml": Case(
        XML,
        (
            ("令和2年度 住民税の申告について", at("2020-01-10T14:33:00+00:00")),
            ("成人式を開催しました", at("2020-01-13T10:00:00+00:00")),
        ),
    ),
}
NAMES = sorted(CASES)


def feed_name(file: str) -> str:
    return file.rsplit(".", 1)[0]


def in_front_matter(title: str) -> str:
    """What a post's front matter carries: no ``<`` that could open a tag (themes print it raw)."""
    if re.search("<[A-Za-z/!?]", title):
        return title.replace("<", "＜").replace(">", "＞")
    return title


@dataclass
class Run:
    work: Path
    started: float
    ended: float
    status: list[dict[str, object]]
    status_table: str


@pytest.fixture(scope="module")
def mirrored(module_state: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Every case fetched over HTTP by one real ``rsspress run``."""
    work = tmp_path_factory.mktemp("realworld")
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        for name, case in CASES.items():
            server.expect_request(f"/{name}").respond_with_data(
                (CASES_DIR / name).read_bytes(), headers={"Content-Type": case.content_type}
            )
        feeds = "realworld:\n  cases:\n" + "".join(
            f"    {feed_name(name)}: {server.url_for('/' + name)}\n" for name in NAMES
        )
        write_config(
            work,
            feeds,
            state=module_state,
            output="[{dir: posts, format: hexo}, {dir: compat, format: hexo, profile: compat},"
            " {dir: site, format: html, title: Mirror, base_url: 'https://mirror.example/'}]",
        )
        started = time.time()
        result = run_cli("run", cwd=work)
        ended = time.time()
        assert result.returncode == 0, result.stdout + result.stderr
        status = run_cli("status", "--json", cwd=work)
        assert status.returncode == 0, status.stderr
        table = run_cli("status", cwd=work)
        assert table.returncode == 0, table.stderr
        yield Run(work, started, ended, json.loads(status.stdout), table.stdout)
    finally:
        server.clear()
        server.stop()


def posts_of(directory: Path, name: str) -> list[tuple[dict[str, object], str]]:
    """The front matter and body of each post of one case's feed."""
    out = []
    for path in sorted(directory.glob("*.md")):
        head, _, body = path.read_text("utf-8").lstrip("\n")[4:].partition("\n---\n")
        meta = yaml.safe_load(head)
        if meta["categories"][2] == feed_name(name):
            out.append((meta, body))
    return out


def date_of(meta: dict[str, object]) -> dt.datetime:
    value = meta["date"]
    if isinstance(value, dt.datetime):
        return value
    text = str(value)
    return at(text) if text[:4].isdigit() else email.utils.parsedate_to_datetime(text)


@pytest.mark.parametrize("name", NAMES)
def test_posts_carry_each_items_title_and_date(mirrored: Run, name: str) -> None:
    case = CASES[name]
    for profile in ("posts", "compat"):
        posts = posts_of(mirrored.work / profile, name)
        assert len(posts) == len(case.items), (profile, [m["title"] for m, _ in posts])
        by_title = {str(meta["title"]): meta for meta, _ in posts}
        assert sorted(by_title) == sorted(in_front_matter(t) for t, _ in case.items), profile
        for title, when in case.items:
            written = date_of(by_title[in_front_matter(title)])
            if when is None:  # unreadable: the time the run first saw it
                assert mirrored.started - 1 <= written.timestamp() <= mirrored.ended + 1
            else:
                assert written == when and written.utcoffset() == when.utcoffset(), (title, profile)


@pytest.mark.parametrize("name", NAMES)
def test_bodies_show_the_text_unharmed(mirrored: Run, name: str) -> None:
    case = CASES[name]
    bodies = " ".join(html.unescape(body) for _, body in posts_of(mirrored.work / "posts", name))
    for text in case.body_text:
        assert text in bodies
    for sign in case.garbled:
        assert sign not in bodies


@pytest.fixture(scope="module")
def search_rows(mirrored: Run) -> list[list[str]]:
    """The site's search index: [slug, title, summary, date, feed label, cover] per item."""
    root = mirrored.work / "site/search"
    index = json.loads((root / "index.json").read_text("utf-8"))
    return [
        row
        for shard in index["shards"]
        for row in json.loads((root / shard["file"]).read_text("utf-8"))
    ]


@pytest.mark.parametrize("name", NAMES)
def test_site_shows_titles_as_text(mirrored: Run, search_rows: list[list[str]], name: str) -> None:
    """Item page, search index, the feed's JSON Feed and Atom: the title's text, never markup."""
    titles = sorted(title for title, _ in CASES[name].items)
    site = mirrored.work / "site"
    rows = [row for row in search_rows if row[4].endswith(f" {feed_name(name)}")]
    assert sorted(row[1] for row in rows) == titles
    shown = []
    for row in rows:
        page = (site / "a" / f"{row[0]}.html").read_text("utf-8")
        heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
        assert heading is not None and "<" not in heading.group(1)  # escaped, not markup
        shown.append(html.unescape(heading.group(1)))
    assert sorted(shown) == titles
    section = site / "c/realworld/cases" / feed_name(name)
    json_feed = json.loads((section / "feed.json").read_text("utf-8"))
    assert sorted(item["title"] for item in json_feed["items"]) == titles
    atom = ET.parse(section / "feed.xml").getroot()
    entries = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert sorted(e.findtext("{http://www.w3.org/2005/Atom}title") or "" for e in entries) == titles


def test_status_counts_unreadable_dates(mirrored: Run) -> None:
    counts = {str(s["name"]): s["unreadable_dates"] for s in mirrored.status}
    assert counts == {feed_name(n): 1 if n == "dates-pt.xml" else 0 for n in NAMES}
    line = next(line for line in mirrored.status_table.splitlines() if "dates-pt" in line)
    assert "4 (1 unreadable date)" in line
    assert all(s["state"] == "ok" for s in mirrored.status)
