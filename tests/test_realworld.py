"""Real-world feeds through the real CLI over HTTP: every item once, nothing half, nothing lost.

The cases are tests/data/realworld/<case>.*, each with its expected items in
<case>.expected.json (keys, titles, dates, and what status says of the feed). Keys are
pinned there on purpose: a key that changes is an item published twice.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from conftest import DATA, posts_in, run_cli, state_location, write_config
from rsspress.store import ItemRecord, Store
from rsspress.store.backends import open_backend
from rsspress.store.migrations import migrate

REALWORLD = DATA / "realworld"
GROUP, SITE = "升级", "现实"  # the tree tests/make_release_state.py used
CONTENT_TYPES = {"xml": "application/rss+xml; charset=utf-8", "json": "application/feed+json"}
CASES = (
    "keys-shared-link.xml",
    "keys-podcast.xml",
    "keys-microblog.json",
    "guid-repeat.xml",
    "truncated-cdata.xml",
    "truncated-body.xml",
    "malformed-unclosed-br.xml",
    "malformed-missing-end-tag.xml",
    "malformed-control-char.xml",
    "empty-rss.xml",
    "empty-items.json",
    "empty-items-1.1.json",
    "empty-rss-self-closed.xml",
    "bom-jsonfeed.json",
)


def stem(file: str) -> str:
    return file.rpartition(".")[0]


def feed_key(name: str) -> str:
    return json.dumps([GROUP, SITE, name], ensure_ascii=False)


def serve(httpserver: HTTPServer, path: str, body: bytes, file: str, **headers: str) -> None:
    content_type = CONTENT_TYPES[file.rpartition(".")[2]]
    httpserver.expect_request(path).respond_with_data(
        body, content_type=content_type, headers=headers
    )


def config(tmp_path: Path, httpserver: HTTPServer, paths: dict[str, str], state: str) -> None:
    """A config of one feed per path, named as in ``paths``; a path may come with the feed's
    options (``/small.json max_new_items: 5``)."""
    lines = ""
    for name, path in paths.items():
        path, _, options = path.partition(" ")
        url = httpserver.url_for(path)
        lines += f"    {name}: " + (f"{{url: '{url}', {options}}}" if options else url) + "\n"
    write_config(tmp_path, f"{GROUP}:\n  {SITE}:\n{lines}", state=state)


def items_of(tmp_path: Path, state: str, name: str) -> list[ItemRecord]:
    with Store(state_location(tmp_path, state)) as store:
        return store.items(feed_key(name))


def status(tmp_path: Path) -> dict[str, dict[str, Any]]:
    rows = json.loads(run_cli("status", "--json", cwd=tmp_path).stdout)
    return {row["name"]: row for row in rows}


def expected(file: str) -> dict[str, Any]:
    path = REALWORLD / f"{stem(file)}.expected.json"
    assert path.exists(), f"{path} is missing: the expected items of {file}"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_every_case_publishes_its_expected_items_once(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    for file in CASES:
        serve(httpserver, f"/{file}", (REALWORLD / file).read_bytes(), file)
    config(tmp_path, httpserver, {stem(f): f"/{f}" for f in CASES}, state)

    first = run_cli("run", cwd=tmp_path)
    again = run_cli("run", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    rows = status(tmp_path)
    total = 0
    for file in CASES:
        want, name = expected(file), stem(file)
        got = [
            {"key": r.item_key, "title": r.title, "date": r.date}
            for r in items_of(tmp_path, state, name)
        ]
        assert got == want["items"], name
        row = rows[name]
        assert (row["state"], row["held_back"], row["deferred"]) == (
            want["state"],
            want["held_back"],
            0,
        ), name
        assert row["failures"] == 0 and row["next_attempt"] is None, name  # no backoff
        if want["malformed"] is None:
            assert row["malformed"] is None, name
        else:
            assert row["malformed"].startswith(want["malformed"]), name
            assert f"incomplete: {GROUP} / {SITE} / {name} (" in first.stderr, name
        total += len(want["items"])
    assert len(posts_in(tmp_path)) == total
    assert again.returncode == 0 and "; 0 posts written" in again.stdout
    assert len(posts_in(tmp_path)) == total


def test_a_cut_download_is_completed_by_the_next_fetch_without_a_second_post(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    whole = (REALWORLD / "truncated-full.xml").read_bytes()
    cut = (REALWORLD / "truncated-cdata.xml").read_bytes()
    # The server's validators describe the whole file, whatever reached us.
    serve(httpserver, "/sspai", cut, "x.xml", ETag='"v1"')
    config(tmp_path, httpserver, {"sspai": "/sspai"}, state)
    first = run_cli("run", cwd=tmp_path)
    assert "; 3 posts written" in first.stdout
    assert "malformed: line 38, column 21: StartTag: invalid element name" in first.stderr
    assert "1 item cut off or empty, held back until whole" in first.stderr
    assert status(tmp_path)["sspai"]["state"] == "malformed"
    table = run_cli("status", cwd=tmp_path).stdout
    assert "│ malformed │" in table and "malformed: line 38, column 21: StartTag: invalid" in table

    httpserver.clear()
    seen: list[Request] = []

    def whole_file(request: Request) -> Response:
        seen.append(request)
        return Response(whole, content_type=CONTENT_TYPES["xml"], headers={"ETag": '"v1"'})

    httpserver.expect_request("/sspai").respond_with_handler(whole_file)
    second = run_cli("run", "--force", cwd=tmp_path)

    # The cut document left no validators behind: the whole one is asked for, not a 304.
    assert [r.headers.get("If-None-Match") for r in seen] == [None]
    assert "; 2 posts written" in second.stdout
    titles = [r.title for r in items_of(tmp_path, state, "sspai")]
    assert titles == [
        "派早报：苹果发布新款 MacBook Air、iPad Air 等",
        "我用 Obsidian 管理读书笔记的三年",
        "AirPods Pro 2 听力健康功能上手：它真的能当助听器吗？",
        "一周 App 派：番茄钟、记账与离线地图",
        "在 NAS 上自建照片库：Immich 部署与迁移记录",
    ]
    assert len(posts_in(tmp_path)) == 5
    after = status(tmp_path)["sspai"]
    assert (after["state"], after["malformed"], after["held_back"]) == ("ok", None, 0)


def json_feed(count: int) -> bytes:
    """A bot's JSON Feed: ``count`` short items, numbered from the oldest, one a minute."""
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    items = [
        {
            "id": f"n{n}",
            "content_text": f"#{n}",
            "date_published": (start + dt.timedelta(minutes=n)).isoformat(),
        }
        for n in reversed(range(count))
    ]
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()


def test_a_feed_of_100000_items_is_published_200_at_a_time_newest_first(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    serve(httpserver, "/bot.json", json_feed(100_000), "x.json", ETag='"bot-1"')
    serve(httpserver, "/small.json", json_feed(12), "x.json")
    config(
        tmp_path,
        httpserver,
        {"bot": "/bot.json", "small": "/small.json max_new_items: 5"},
        "state.db",
    )

    first = run_cli("run", cwd=tmp_path)
    second = run_cli("run", "--force", cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert "; 205 posts written" in first.stdout
    assert "99,800 new items over the cap (max_new_items), left for later fetches" in first.stderr
    assert "7 new items over the cap" in first.stderr
    bot = [r.item_key for r in items_of(tmp_path, "state.db", "bot")]
    # The newest 200 first, then the next 200: none twice.
    assert bot == [f"guid:n{n}" for n in range(99_999, 99_799, -1)] + [
        f"guid:n{n}" for n in range(99_799, 99_599, -1)
    ]
    assert "; 205 posts written" in second.stdout
    small = [r.item_key for r in items_of(tmp_path, "state.db", "small")]
    assert small == [f"guid:n{n}" for n in range(11, 1, -1)]
    rows = status(tmp_path)
    assert (rows["bot"]["deferred"], rows["small"]["deferred"]) == (99_600, 2)
    assert rows["bot"]["state"] == "ok"
    # Items wait in an unchanged feed: it is fetched whole again, never answered with a 304.
    asked = [r.headers.get("If-None-Match") for r, _ in httpserver.log if r.path == "/bot.json"]
    assert asked == [None, None]


def load_release_state(location: Path | str) -> dict[str, Any]:
    """The rows tests/make_release_state.py took from the release's state, in its schema."""
    release = json.loads((REALWORLD / "release-state.json").read_text(encoding="utf-8"))
    backend = open_backend(location)
    migrate(backend, to=release["schema_version"])
    with backend.transaction():
        for table in ("feeds", "items"):
            for row in release[table]:
                row = {k: v for k, v in row.items() if k != "id"}  # numbered as inserted, in order
                columns, marks = ", ".join(row), ", ".join("?" * len(row))
                backend.execute(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())
                )
    backend.close()
    data: dict[str, Any] = release
    return data


def test_a_state_the_release_wrote_publishes_nothing_twice(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    release = load_release_state(state_location(tmp_path, state))
    files = {row["name"]: row["url"] for row in release["feeds"]}
    for file in files.values():
        serve(httpserver, f"/{file}", (REALWORLD / file).read_bytes(), file)
    config(tmp_path, httpserver, {name: f"/{file}" for name, file in files.items()}, state)

    run = run_cli("run", cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    published_before = {
        (row["feed_key"], row["title"], row["date"], row["link"]) for row in release["items"]
    }
    new = {name: items_of(tmp_path, state, name) for name in files}
    for name, records in new.items():
        fresh = [
            r
            for r in records
            if r.first_seen_at > max(i["first_seen_at"] for i in release["items"])
        ]
        for record in fresh:  # nothing the release published comes again
            assert (feed_key(name), record.title, record.date, record.link) not in published_before
        # ... and every item the release merged away comes now.
        want = expected(files[name])["items"]
        assert len(records) == len(want), name
    counts = {name: len(records) for name, records in new.items()}
    before = {
        name: sum(1 for i in release["items"] if i["feed_key"] == feed_key(name)) for name in files
    }
    assert before == {
        "keys-shared-link": 1, "keys-podcast": 1, "keys-microblog": 1, "guid-repeat": 3,
        "truncated-full": 5, "malformed-control-char": 3,
    }  # fmt: skip
    assert counts == {
        "keys-shared-link": 9, "keys-podcast": 6, "keys-microblog": 4, "guid-repeat": 5,
        "truncated-full": 5, "malformed-control-char": 3,
    }  # fmt: skip
    assert f"; {sum(counts.values()) - sum(before.values())} posts written" in run.stdout
