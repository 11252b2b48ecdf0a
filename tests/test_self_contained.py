"""The tests need nothing outside the repository: their corpus, their CI switch, their docs.

- tests/generate_corpus.py makes the same bytes anywhere, shaped like RSSHub's feeds;
- RSSPRESS_TEST_NO_SKIPS=1 (CI) turns every skip into a failure, and only then;
- nothing the tests, CI or docs read sends anyone to the team's ../shared folder.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import statistics
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import REPO
from corpus import corpus_feeds
from feedcheck import validate_atom, validate_json_feed
from generate_corpus import make_corpus

TESTS = Path(__file__).resolve().parent
ATOM = "{http://www.w3.org/2005/Atom}"


def files_of(directory: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(directory)): p.read_bytes() for p in directory.rglob("*") if p.is_file()
    }


def test_corpus_bytes_depend_only_on_the_arguments(tmp_path: Path) -> None:
    here = make_corpus(tmp_path / "here", feeds=30, items=4, seed=7)
    # Another process, another hash seed, time zone and locale: the same bytes.
    script = "import sys; from pathlib import Path; from generate_corpus import make_corpus; make_corpus(Path(sys.argv[1]), feeds=30, items=4, seed=7)"  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(TESTS), "PYTHONHASHSEED": "12345",
           "TZ": "America/St_Johns", "LC_ALL": "C"}  # fmt: skip
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "there")], env=env, check=True)
    assert files_of(here) == files_of(tmp_path / "there")

    other = make_corpus(tmp_path / "other", feeds=30, items=4, seed=8)
    assert files_of(other) != files_of(here)

    # Made again in place: no file is rewritten, so a server keeps answering 304.
    before = {p: p.stat().st_mtime_ns for p in here.rglob("*") if p.is_file()}
    make_corpus(here, feeds=30, items=4, seed=7)
    assert {p: p.stat().st_mtime_ns for p in here.rglob("*") if p.is_file()} == before


def test_corpus_s_is_shaped_like_rsshubs_feeds(corpus_s: Path) -> None:
    manifest = json.loads((corpus_s / "manifest.json").read_text("utf-8"))
    feeds = corpus_feeds(corpus_s)
    assert manifest["items"] == 2000 and len(feeds) == 100
    assert manifest["formats"] == {"rss": 70, "atom": 20, "json": 10}
    assert len({tuple(f["category"]) for f in feeds}) == 100  # distinct group / site / feed

    links, guids, bodies, titles, dates = [], [], [], [], []
    for feed in feeds:
        data = (corpus_s / feed["path"]).read_bytes()
        if feed["format"] == "rss":
            items = ET.fromstring(data).iter("item")
            for item in items:
                links.append(item.findtext("link", ""))
                guids.append(item.findtext("guid", ""))
                bodies.append(item.findtext("description", ""))
                titles.append(item.findtext("title", ""))
                dates.append(item.findtext("pubDate", ""))
                assert email.utils.parsedate_to_datetime(dates[-1]).tzinfo is not None
        elif feed["format"] == "atom":
            assert validate_atom(data) == [], feed["path"]
            for entry in ET.fromstring(data).iter(ATOM + "entry"):
                link = entry.find(ATOM + "link")
                assert link is not None
                links.append(link.get("href", ""))
                guids.append(entry.findtext(ATOM + "id", ""))
                bodies.append(entry.findtext(ATOM + "content", ""))
                titles.append(entry.findtext(ATOM + "title", ""))
        else:
            assert validate_json_feed(data) == [], feed["path"]
            for entry in json.loads(data)["items"]:
                links.append(entry["url"])
                guids.append(entry["id"])
                bodies.append(entry["content_html"])
                titles.append(entry["title"])
    assert len(links) == len(set(links)) == 2000  # unique across the corpus
    assert len(set(guids)) == 2000
    assert any(d.endswith("GMT") for d in dates) and any(d.endswith("+0800") for d in dates)

    sizes = [len(b.encode()) for b in bodies]
    assert 3000 < statistics.median(sizes) < 6000 and min(sizes) >= 1024 and max(sizes) < 24_000
    assert all(re.search(r"[\u4e00-\u9fff]{8}", b) for b in bodies)  # Chinese text throughout
    template = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
    assert sum(bool(template.search(b)) for b in bodies) > 2000 * 0.15
    assert sum(bool(template.search(t)) for t in titles) > 40
    joined = "".join(bodies)
    for form in ("data-original=", "data-src=", 'referrerpolicy="no-referrer"', "<img src='",
                 "onclick=", "<figure>", "<script", "<style>", "<pre><code"):  # fmt: skip
        assert form in joined, form
    assert manifest["images"] > 2000
    # A body holding "]]>" is split over two CDATA sections, as RSSHub's serializer does.
    assert any(b"]]]]><![CDATA[>" in (corpus_s / f["path"]).read_bytes() for f in feeds)


CASES = """
import pytest

def test_runs():
    pass

def test_skips():
    pytest.skip("hugo not found: install hugo")

@pytest.fixture
def tool():
    pytest.skip("node not found: install nodejs")

def test_needs_a_tool(tool):
    pass

@pytest.mark.xfail(reason="known")
def test_known_failure():
    assert False
"""


def run_cases(tmp_path: Path, no_skips: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", "utf-8")
    (tmp_path / "test_cases.py").write_text(textwrap.dedent(CASES), "utf-8")
    env = {k: v for k, v in os.environ.items() if k != "RSSPRESS_TEST_NO_SKIPS"}
    if no_skips is not None:
        env["RSSPRESS_TEST_NO_SKIPS"] = no_skips
    env["PYTHONPATH"] = str(TESTS)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "strict_skips", "-p", "no:cacheprovider",
         "-q", "-rA", "--rootdir", str(tmp_path), str(tmp_path / "test_cases.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_no_skips_switch_turns_each_skip_into_a_failure(tmp_path: Path) -> None:
    normal = run_cases(tmp_path, None)
    assert normal.returncode == 0, normal.stdout
    assert "1 passed, 2 skipped, 1 xfailed" in normal.stdout

    strict = run_cases(tmp_path, "1")
    assert strict.returncode == 1, strict.stdout
    assert "1 failed, 1 passed, 1 xfailed, 1 error" in strict.stdout  # the fixture's skip: error
    assert "skipped with RSSPRESS_TEST_NO_SKIPS=1: hugo not found: install hugo" in strict.stdout
    assert "skipped with RSSPRESS_TEST_NO_SKIPS=1: node not found: install nodejs" in strict.stdout

    assert run_cases(tmp_path, "0").returncode == 0


def test_nothing_the_tests_or_docs_read_points_at_the_shared_folder() -> None:
    readers = [REPO / "README.md", REPO / ".ci" / "run", REPO / "pyproject.toml"]
    readers += sorted((REPO / "docs").rglob("*.md")) + sorted(TESTS.glob("*.py"))
    readers += [p for p in (TESTS / "hexo").rglob("*") if p.is_file() and "node_modules" not in p.parts]  # fmt: skip
    this = Path(__file__).resolve()
    found = [
        f"{path.relative_to(REPO)}: {line.strip()}"
        for path in readers
        if path.resolve() != this
        for line in path.read_text("utf-8").splitlines()
        if re.search(r"\.\./shared|RSSPRESS_SHARED|shared/(bench|seed|spec|hexo-check)", line)
    ]
    assert found == []
