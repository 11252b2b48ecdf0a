"""RSSHub as rsspress meets it: route errors, access codes, several instances, parameters.

Every test runs the real CLI against fake RSSHub instances (tests/fake_rsshub.py) on
127.0.0.1 that answer as RSSHub does: its error page, 404 for unknown routes, 403
without the access code, ETag/304, and 429 with Retry-After from the proxy in front.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import free_port, run_cli, write_config
from fake_rsshub import FakeRsshub
from rsspress.config import load_config
from rsspress.opml import read_opml

KEY = "n3ver-Leave-This-Machine-8f2a1c"
ROUTE_ERROR = 'FetchError: [GET] "https://www.myzaker.com/channel/13": 403 Forbidden'


@pytest.fixture
def hubs() -> Iterator[Callable[..., FakeRsshub]]:
    """Start fake RSSHub instances; each is stopped after the test."""
    started: list[FakeRsshub] = []

    def start(**options: Any) -> FakeRsshub:
        hub = FakeRsshub(**options).start()
        started.append(hub)
        return hub

    yield start
    for hub in started:
        hub.stop()


def hub_config(directory: Path, state: str, rsshub: str, feeds: str, **options: Any) -> Path:
    """A config with this ``rsshub:`` section (YAML lines) and these feeds."""
    path = write_config(directory, feeds, state=state, **options)
    text = path.read_text("utf-8").replace("rsshub: https://rsshub.app\n", rsshub)
    path.write_text(text, "utf-8")
    return path


def status_rows(directory: Path, env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    result = run_cli("status", "--json", cwd=directory, env=env)
    assert result.returncode == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


def posts(directory: Path) -> list[Path]:
    return sorted((directory / "posts").glob("*.md"))


def test_a_broken_route_delays_no_other_route_of_its_instance(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    hub = hubs()
    hub.break_route("/zaker/channel/13", ROUTE_ERROR)
    hub.route("/cnbeta", "cnBeta", 3)
    hub.route("/ithome/ranking/24h", "IT之家", 2)
    hub_config(
        tmp_path,
        state,
        f"rsshub: {hub.base}\n",
        # The broken route sorts first, and each feed is claimed on its own: a pause of the
        # whole host after its 503 would leave the others unfetched in this very run.
        "A:\n  ZAKER:\n    channel: rsshub:/zaker/channel/13\n"
        "B:\n  cnBeta:\n    最新: rsshub:/cnbeta\n  IT之家:\n    热榜: rsshub:/ithome/ranking/24h\n",
        extra="daemon: {claim: 1}\nfetch: {per_host: 1}\n",
    )

    first = run_cli("run", cwd=tmp_path)

    assert first.returncode == 1, first.stderr
    assert len(posts(tmp_path)) == 5  # every item of the two working routes
    rows = status_rows(tmp_path)
    broken = rows["channel"]
    assert broken["state"] == "failing"
    assert broken["error_kind"] == "route"
    # RSSHub's own words, not just "HTTP 503"
    assert ROUTE_ERROR in broken["error"]
    assert ROUTE_ERROR in first.stderr
    assert {rows["最新"]["state"], rows["热榜"]["state"]} == {"ok"}
    table = run_cli("status", cwd=tmp_path).stdout
    assert "paused" not in table  # the instance is not paused: only that route backs off

    second = run_cli("run", cwd=tmp_path)

    # The next run fetches the working routes again (conditional GET: 304), not the broken one.
    assert "2 not modified" in second.stdout, second.stdout
    assert [r.status for r in hub.requests("/cnbeta")] == [200, 304]
    assert [r.status for r in hub.requests("/ithome/ranking/24h")] == [200, 304]
    assert hub.requests("/cnbeta")[1].if_none_match is not None
    assert [r.status for r in hub.requests("/zaker/channel/13")] == [503]


def test_a_route_rsshub_does_not_know_goes_dead_with_that_reason(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    hub = hubs(as_package=True)  # errors as JSON {"error": {"message": …}}
    hub.route("/cnbeta", "cnBeta", 1)
    hub_config(tmp_path, state, f"rsshub: {hub.base}\n", "g:\n  s:\n    typo: rsshub:/cnbetaa\n")

    run_cli("run", "--force", cwd=tmp_path)
    once = status_rows(tmp_path)["typo"]
    run_cli("run", "--force", cwd=tmp_path)
    twice = status_rows(tmp_path)["typo"]

    assert once["state"] == "failing" and once["error_kind"] == "no_route"
    assert "RSSHub has no such route" in once["error"]
    assert "The route does not exist or has been deleted." in once["error"]  # RSSHub's JSON
    assert twice["state"] == "dead"
    assert "no such route" in twice["dead_reason"]
    assert len(hub.requests("/cnbetaa")) == 2


def test_429_with_retry_after_pauses_that_instance_only(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    busy, spare = hubs(), hubs()
    routes = ["/cnbeta", "/sspai/index", "/36kr/newsflashes"]
    for hub in (busy, spare):
        for n, route in enumerate(routes):
            hub.route(route, f"feed{n}", 2)
    busy.limit(3600)
    feeds = "g:\n  s:\n" + "".join(f"    f{n}: rsshub:{r}\n" for n, r in enumerate(routes))
    hub_config(
        tmp_path,
        state,
        f"rsshub:\n  instances: [{busy.base}, {spare.base}]\n",
        feeds,
        extra="fetch: {per_host: 1}\n",
    )

    first = run_cli("run", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert len(posts(tmp_path)) == 6
    assert [r.status for r in busy.log] == [429]  # asked once; then the others knew
    rows = status_rows(tmp_path)
    assert {row["instance"] for row in rows.values()} == {spare.base}
    assert all("busy" in row["instance_errors"][busy.base] for row in rows.values())
    table = run_cli("status", cwd=tmp_path).stdout
    assert "RSSHub instances" in table and "paused" in table

    second = run_cli("run", cwd=tmp_path)

    assert second.returncode == 0, second.stderr
    assert "3 not modified" in second.stdout
    assert len(busy.log) == 1  # paused for its Retry-After: not asked again
    assert [r.status for r in spare.log].count(304) == 3


def test_the_first_instance_down_then_back(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    port = free_port()
    first_base = f"http://127.0.0.1:{port}"
    second = hubs()
    routes = {"/cnbeta": 3, "/zaker/channel/13": 2, "/weibo/keyword/苹果": 2}
    for route, items in routes.items():
        # the first item links to the instance serving it (no guid): its key must not change
        second.route(route, route, items, on_instance=second.base)
    feeds = "g:\n  s:\n" + "".join(f"    f{n}: rsshub:{r}\n" for n, r in enumerate(routes))
    hub_config(
        tmp_path,
        state,
        f"rsshub:\n  instances: [{first_base}, {second.base}]\n",
        feeds,
        extra="fetch: {retry_base: 1}\n",
    )

    down = run_cli("run", cwd=tmp_path)

    assert down.returncode == 0, down.stderr
    assert len(posts(tmp_path)) == 7
    rows = status_rows(tmp_path)
    assert {row["instance"] for row in rows.values()} == {second.base}
    assert all("refused" in row["instance_errors"][first_base] for row in rows.values())
    published = {p.name: p.read_text("utf-8") for p in posts(tmp_path)}

    first = FakeRsshub(port=port)
    for route, items in routes.items():
        first.route(route, route, items, on_instance=first_base)
    first.start()
    try:
        time.sleep(1.5)  # the first instance's rest (fetch.retry_base, ±20 %) is over
        back = run_cli("run", cwd=tmp_path)
    finally:
        first.stop()

    assert back.returncode == 0, back.stderr
    assert "0 posts written" in back.stdout, back.stdout
    assert {p.name: p.read_text("utf-8") for p in posts(tmp_path)} == published
    assert {r.path for r in first.log} == set(routes)  # every route from the first again
    rows = status_rows(tmp_path)
    assert {row["instance"] for row in rows.values()} == {first_base}
    assert all(row["instance_errors"] == {} for row in rows.values())


def test_the_access_key_never_leaves_only_the_code_reaches_rsshub(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    hub = hubs(access_key=KEY)
    routes = ["/cnbeta", "/weibo/keyword/苹果", "/zaker/channel/13"]
    for route in routes:
        hub.route(route, route, 2)
    hub_config(
        tmp_path,
        state,
        f"rsshub:\n  instances: [{hub.base}]\n  key: ${{RSSHUB_KEY}}\n",
        "g:\n  s:\n"
        "    a: rsshub:/cnbeta\n"
        "    b: {url: rsshub:/weibo/keyword/苹果, rsshub: {filter: 苹果|iPhone, limit: 10}}\n"
        "    c: {url: rsshub:/zaker/channel/13, fulltext: false}\n",
        output="[{dir: posts, format: hexo}, {dir: site, format: html, base_url: https://news.example.org/}]",
    )
    env = {**os.environ, "RSSHUB_KEY": KEY}

    results = {
        "run": run_cli("run", cwd=tmp_path, env=env),
        "run again": run_cli("run", cwd=tmp_path, env=env),
        "status": run_cli("status", cwd=tmp_path, env=env),
        "status --json": run_cli("status", "--json", cwd=tmp_path, env=env),
        "export": run_cli("export", cwd=tmp_path, env=env),
        "export -o": run_cli("export", "-o", "feeds.opml", cwd=tmp_path, env=env),
        "build": run_cli("build", cwd=tmp_path, env=env),
    }

    assert results["run"].returncode == 0, results["run"].stderr
    assert len(posts(tmp_path)) == 6
    codes = {route: hashlib.md5((route + KEY).encode()).hexdigest() for route in routes}
    assert {r.path for r in hub.log} == set(routes)
    for request in hub.log:
        assert "key" not in request.query
        assert request.query["code"] == codes[request.path]  # what RSSHub checks
        assert request.status in (200, 304)
    assert hub.requests("/weibo/keyword/苹果")[0].query["filter"] == "苹果|iPhone"
    secrets = (KEY, *codes.values())
    for name, result in results.items():
        printed = result.stdout + result.stderr
        assert [s for s in secrets if s in printed] == [], name
        assert result.returncode == 0, (name, printed)
    for folder in ("posts", "site"):
        holding = [p for p in (tmp_path / folder).rglob("*") if p.is_file() and _holds(p, secrets)]
        assert holding == [], folder
    assert not _holds(tmp_path / "feeds.opml", secrets)
    assert [s for s in secrets if s in _state_text(tmp_path, state)] == []
    # sources.opml and the export keep the route and its parameters, not the key
    opml = (tmp_path / "site" / "sources.opml").read_text("utf-8")
    assert 'rsspress:route="rsshub:/weibo/keyword/苹果"' in opml
    assert "rsspress:rsshub=" in opml


def test_a_wrong_key_is_a_config_problem_and_says_so(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    hub = hubs(access_key=KEY)
    hub.route("/cnbeta", "cnBeta", 1)
    hub_config(
        tmp_path,
        state,
        f"rsshub:\n  instances: [{hub.base}]\n  key: not-the-key\n",
        "g:\n  s:\n    a: rsshub:/cnbeta\n",
    )

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode != 0
    row = status_rows(tmp_path)["a"]
    assert row["error_kind"] == "access"
    assert "a config problem: fix rsshub.key" in row["error"]
    assert "not-the-key" not in result.stdout + result.stderr + json.dumps(row)


def test_a_key_written_in_the_route_still_works_and_is_printed_masked(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    # Configs from before rsshub.key carry ?key= in the route: RSSHub takes it as it is.
    hub = hubs(access_key=KEY)
    hub.route("/telegram/channel/news", "news", 2)
    hub_config(
        tmp_path,
        state,
        f"rsshub: {hub.base}\n",
        f"g:\n  s:\n    a: rsshub:/telegram/channel/news?key={KEY}\n",
    )

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert [(r.query, r.status) for r in hub.log] == [({"key": KEY}, 200)]
    assert status_rows(tmp_path)["a"]["url"] == f"{hub.base}/telegram/channel/news?key=***"
    assert KEY not in run_cli("export", cwd=tmp_path).stdout


def test_a_503_without_retry_after_pauses_no_plain_host_either(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    hub = hubs()
    hub.break_route("/a", "Error: upstream timed out")
    hub.route("/b", "b", 1)
    write_config(
        tmp_path,
        f"A:\n  s:\n    broken: {hub.base}/a\nB:\n  s:\n    fine: {hub.base}/b\n",
        state=state,
        extra="daemon: {claim: 1}\n",  # the broken feed is claimed, and fails, first
    )

    run_cli("run", cwd=tmp_path)
    run_cli("run", cwd=tmp_path)

    assert [r.status for r in hub.requests("/b")] == [200, 304]
    assert [r.status for r in hub.requests("/a")] == [503]


def test_route_parameters_per_feed_site_and_group_reach_rsshub(
    tmp_path: Path, state: str, hubs: Callable[..., FakeRsshub]
) -> None:
    hub = hubs()
    for route in ("/cnbeta", "/ithome/ranking/24h", "/sspai/index"):
        hub.route(route, route, 1)
    hub_config(
        tmp_path,
        state,
        f"rsshub:\n  instances: {hub.base}\n  params: {{limit: 50}}\n"
        "  feeds:\n    科技资讯: {mode: fulltext, opencc: t2s}\n    科技资讯/IT之家: {limit: 20}\n",
        "科技资讯:\n"
        "  cnBeta:\n    最新: {url: rsshub:/cnbeta, rsshub: {filterout: 广告, sorted: false, opencc: null}}\n"
        "  IT之家:\n    热榜: rsshub:/ithome/ranking/24h\n"
        "新媒体:\n  少数派:\n    首页: {url: rsshub:/sspai/index, rsshub: {format: atom, brief: 200}}\n",
    )

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    sent = {r.path: r.query for r in hub.log}
    assert sent["/cnbeta"] == {
        "mode": "fulltext",
        "limit": "50",
        "sorted": "false",
        "filterout": "广告",
    }
    assert sent["/ithome/ranking/24h"] == {"mode": "fulltext", "limit": "20", "opencc": "t2s"}
    assert sent["/sspai/index"] == {"format": "atom", "limit": "50", "brief": "200"}


def test_export_then_import_keeps_routes_and_their_options(tmp_path: Path) -> None:
    source = tmp_path / "a"
    source.mkdir()
    (source / "rsspress.yaml").write_text(
        "rsshub:\n  instances: [https://rsshub.example.com, https://rsshub.app]\n"
        "  key: local-secret-key\n  feeds:\n    科技资讯: {mode: fulltext}\n"
        "feeds:\n  科技资讯:\n    cnBeta:\n"
        "      最新: {url: rsshub:/cnbeta, rsshub: {limit: 20, sorted: false}, fulltext: true}\n"
        "      关键词: {url: 'rsshub:/weibo/keyword/苹果?type=1', home: https://weibo.com/}\n"
        "  其他:\n    HN:\n      首页: https://news.ycombinator.com/rss\n",
        "utf-8",
    )
    exported = run_cli("export", "-o", str(tmp_path / "out.opml"), cwd=source)
    assert exported.returncode == 0, exported.stderr
    opml = (tmp_path / "out.opml").read_text("utf-8")
    assert "local-secret-key" not in opml
    assert (
        'xmlUrl="https://rsshub.example.com/cnbeta?mode=fulltext&amp;limit=20&amp;sorted=false"'
        in opml
    )

    target = tmp_path / "b"
    target.mkdir()
    (target / "rsspress.yaml").write_text(
        "rsshub: {instances: [https://rsshub.app]}\nfeeds:\n  g:\n    s:\n      f: https://x.example/f\n",
        "utf-8",
    )
    imported = run_cli("import", str(tmp_path / "out.opml"), cwd=target)
    assert imported.returncode == 0, imported.stderr

    def kept(path: Path) -> set[tuple[Any, ...]]:
        return {
            (f.categories, f.fulltext, f.home, f.kind, f.route.written if f.route else f.url,
             f.route.params if f.route else None)
            for f in load_config(path).feeds
            if f.group != "g"
        }  # fmt: skip

    assert kept(target / "rsspress.yaml") == kept(source / "rsspress.yaml")
    again = run_cli("export", cwd=target)
    assert {f.route for f in read_opml(again.stdout.encode())} == {
        "rsshub:/cnbeta", "rsshub:/weibo/keyword/苹果?type=1", None
    }  # fmt: skip


def _holds(path: Path, secrets: tuple[str, ...]) -> bool:
    data = path.read_bytes()
    return any(secret.encode() in data for secret in secrets)


def _state_text(directory: Path, state: str) -> str:
    """Every value of every table of the state, as text."""
    if state.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(state) as db:
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = current_schema()"
                )
            ]
            return "\n".join(str(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"'))
    files = [directory / name for name in (state, f"{state}-wal") if (directory / name).exists()]
    raw = b"".join(path.read_bytes() for path in files).decode("utf-8", "replace")
    with sqlite3.connect(directory / state) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [str(row) for t in tables for row in db.execute(f'SELECT * FROM "{t}"')]
    return raw + "\n".join(rows)
