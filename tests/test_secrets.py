"""Secrets in feed URLs (user:password@, RSSHub's ?key=) and in the state URL stay private.

They are printed and published nowhere (posts, site, sources.opml, search index, run,
status, export, error messages, daemon log), and the files that must keep them (the
state, the proxy's cache) are their owner's alone.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import sqlite3
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from conftest import free_port, run_cli, start_daemon, wait_for, write_config
from proxy_support import LOOPBACK_ONLY, PNG, RunningProxy, get, start_proxy
from rsspress.config import load_config
from rsspress.store import Store
from rsspress.urls import redact_text, redact_url, url_secrets, without_secrets

__all__ = ["start_proxy"]  # a fixture, used by name

USER, PASSWORD, KEY = "reader", "s3cretPW", "S3CRETKEY"
SECRETS = (PASSWORD, KEY)
OWNER_ONLY = 0o600

# -- redact_url and friends: pure functions, one table each ---------------------------

REDACTED_URLS = [
    # userinfo: the password goes; a user alone is a token (https://TOKEN@github.com) and goes
    ("http://user:s3cret@host/feed.xml", "http://user:***@host/feed.xml"),
    ("https://TOKEN@github.com/u/r/commits.atom", "https://***@github.com/u/r/commits.atom"),
    ("http://user:@host/", "http://user:***@host/"),
    ("http://us%40er:p%40ss@host/", "http://us%40er:***@host/"),  # %40 is no delimiter
    ("http://user:p@ss@host/", "http://user:***@host/"),  # the last @ ends the userinfo
    ("http://user:pw@host/a@b/?x=1", "http://user:***@host/a@b/?x=1"),  # @ in the path stays
    ("HTTPS://user:pw@host:8443/", "HTTPS://user:***@host:8443/"),
    ("//user:pw@host/x", "//user:***@host/x"),  # scheme-relative
    # how a browser reads special schemes: no slashes, backslashes, leading spaces
    ("http:user:pw@host/", "http:user:***@host/"),
    ("http:\\\\user:pw@host\\x", "http:\\\\user:***@host\\x"),
    ("http:///user:pw@host/", "http:///user:***@host/"),
    (" \thttp://user:pw@host/", " \thttp://user:***@host/"),
    # a browser stops the host at "\", urlsplit does not: both readings lose the password
    ("http://evil\\@user:pw@host/", "http://evil\\@user:***@host/"),
    # secret parameters, any case, any spelling a server decodes to the same name
    ("http://host/f?key=S&limit=5", "http://host/f?key=***&limit=5"),
    ("http://host/f?KEY=S&Key=T", "http://host/f?KEY=***&Key=***"),
    ("http://host/f?key=a&limit=5&key=b", "http://host/f?key=***&limit=5&key=***"),
    ("http://host/f?%6Bey=S", "http://host/f?%6Bey=***"),
    ("http://host/f?key[]=S", "http://host/f?key[]=***"),
    (
        "http://host/f?api_key=A;access_token=B&X-Amz-Signature=C&appKey=D&sslpassword=E&sig=F",
        "http://host/f?api_key=***;access_token=***&X-Amz-Signature=***&appKey=***"
        "&sslpassword=***&sig=***",
    ),
    ("http://host/f?code=600519&keyword=rust", "http://host/f?code=600519&keyword=rust"),
    ("http://host/f?key=&key", "http://host/f?key=&key"),  # nothing to hide
    # fragments: kept, their own secrets masked
    ("http://host/f#section", "http://host/f#section"),
    ("http://host/f?key=S#top", "http://host/f?key=***#top"),
    ("http://host/f#access_token=S&state=1", "http://host/f#access_token=***&state=1"),
    # RSSHub routes as written in the config, PostgreSQL URLs, file URLs, non-URLs
    ("rsshub:/telegram/channel/x?key=S", "rsshub:/telegram/channel/x?key=***"),
    (
        "postgresql://u:pw@127.0.0.1:5432/db?password=PW&sslmode=require",
        "postgresql://u:***@127.0.0.1:5432/db?password=***&sslmode=require",
    ),
    ("file:///home/a@b/feed.xml", "file:///home/a@b/feed.xml"),
    ("/srv/feeds/a.xml?token=S", "/srv/feeds/a.xml?token=***"),
    ("not a url", "not a url"),
    ("user:pw", "user:pw"),
    ("", ""),
]


@pytest.mark.parametrize(("url", "printed"), REDACTED_URLS)
def test_redact_url(url: str, printed: str) -> None:
    assert redact_url(url) == printed


BASES = [
    ("http://user:pw@host/feed.xml?key=S", "http://host/feed.xml"),
    ("http://host/feed.xml?a=1&key=S&b=2", "http://host/feed.xml?a=1&b=2"),
    ("http://host/feed.xml?key=S#access_token=T", "http://host/feed.xml"),
    ("https://TOKEN@host/f?x=1", "https://host/f?x=1"),
    ("http://host/f?code=1", "http://host/f?code=1"),
]


@pytest.mark.parametrize(("url", "base"), BASES)
def test_without_secrets_is_a_base_for_published_links(url: str, base: str) -> None:
    assert without_secrets(url) == base


MESSAGES = [
    (
        "invalid URL: http://user:PW@127.0.0.1:99999/f?key=K",
        "invalid URL: http://user:***@127.0.0.1:99999/f?key=***",
    ),
    ("<InvalidURL URL('https://t:PW@h/x')>", "<InvalidURL URL('https://t:***@h/x')>"),
    (
        "from http://a:PW@h/ to https://b:QW@i/?sig=Z",
        "from http://a:***@h/ to https://b:***@i/?sig=***",
    ),
    ("HTTP 503 Service Unavailable", "HTTP 503 Service Unavailable"),
    ("connection refused by 127.0.0.1:9", "connection refused by 127.0.0.1:9"),
]


@pytest.mark.parametrize(("message", "printed"), MESSAGES)
def test_redact_text(message: str, printed: str) -> None:
    assert redact_text(message) == printed


def test_url_secrets_lists_each_secret_as_written_and_decoded() -> None:
    secrets = url_secrets("postgresql://u:p%41w@h/db?password=X+Y&sslmode=require")
    assert set(secrets) == {"p%41w", "pAw", "X+Y", "X Y"}
    assert url_secrets("https://host/feed?limit=5") == []


def test_redaction_is_linear_in_the_input() -> None:
    # Shapes that make a careless pattern retry from every position.
    for text in ("a." * 500_000, "a:" * 500_000, "http://" + "@" * 1_000_000, "?" + "&" * 10**6):
        started = time.monotonic()
        redact_text(text)
        redact_url(text)
        assert time.monotonic() - started < 2.0, text[:20]


# -- the real CLI over real HTTP ----------------------------------------------------


def private_feed(title: str, guid: str) -> bytes:
    """RSS without a channel link: relative links resolve against the feed's own URL."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title>"
        f"<item><title>{title} relative</title><link>post/1.html</link>"
        f'<guid isPermaLink="false">{guid}-1</guid>'
        "<description><![CDATA[<p>Body <a href='#comments'>comments</a>"
        " <a href='?page=2'>next</a> <img src='img/a.png'></p>]]></description>"
        "<pubDate>Sun, 28 Nov 2021 08:19:00 GMT</pubDate></item>"
        f'<item><title>{title} no link</title><guid isPermaLink="false">{guid}-2</guid>'
        "<description><![CDATA[<p>Second <a href=''>here</a>"
        " <img src='/img/b.png'></p>]]></description>"
        "<pubDate>Sun, 28 Nov 2021 09:19:00 GMT</pubDate></item>"
        "</channel></rss>"
    ).encode()


def serve_private_feeds(server: HTTPServer) -> None:
    """A feed and an RSSHub route that answer only with the password and the key."""
    auth = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
    server.expect_request("/feed.xml", query_string={"key": KEY}, headers=auth).respond_with_data(
        private_feed("Private", "p"), content_type="application/rss+xml"
    )
    server.expect_request(
        "/telegram/channel/news", query_string={"key": KEY}, headers=auth
    ).respond_with_data(private_feed("Hub", "h"), content_type="application/rss+xml")


def files_holding(directory: Path, secrets: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(directory)}: {secret}"
        for path in sorted(directory.rglob("*"))
        if path.is_file()
        for secret in secrets
        if secret.encode() in path.read_bytes()
    ]


def test_feed_secrets_are_published_and_printed_nowhere(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    serve_private_feeds(httpserver)
    port, closed = httpserver.port, free_port()
    credentials = f"{USER}:{PASSWORD}@127.0.0.1"
    write_config(
        tmp_path,
        "g:\n  s:\n"
        f"    private: http://{credentials}:{port}/feed.xml?key={KEY}\n"
        f"    hub: rsshub:/telegram/channel/news?key={KEY}\n"
        f"    closed: http://{credentials}:{closed}/feed.xml?key={KEY}\n"
        f"    invalid: http://{credentials}:99999/feed.xml?key={KEY}\n",
        state=state,
        output="[{dir: posts, format: hexo}, {dir: site, format: html, base_url: https://news.example.org/}]",
    )
    config = tmp_path / "rsspress.yaml"
    config.write_text(
        config.read_text("utf-8").replace(
            "rsshub: https://rsshub.app", f"rsshub: http://{credentials}:{port}"
        ),
        "utf-8",
    )

    results = {
        "run": run_cli("run", cwd=tmp_path, timeout=120),
        "status": run_cli("status", cwd=tmp_path),
        "status --json": run_cli("status", "--json", cwd=tmp_path),
        "export": run_cli("export", cwd=tmp_path),
        "export -o": run_cli("export", "-o", "feeds.opml", cwd=tmp_path),
        "build": run_cli("build", cwd=tmp_path),
    }

    # The feeds were fetched with their secrets: four posts, two failures.
    assert results["run"].returncode == 1, results["run"].stderr
    assert "2 fetched, 0 not modified, 2 failed; 4 posts written" in results["run"].stdout
    for name, result in results.items():
        printed = result.stdout + result.stderr
        assert [s for s in SECRETS if s in printed] == [], f"{name}: {printed}"
        assert "Traceback" not in printed, name
    assert files_holding(tmp_path / "posts", SECRETS) == []
    assert files_holding(tmp_path / "site", SECRETS) == []  # sources.opml, search, manifest too
    # Only the user's config and the (private) state keep them.
    holding = {line.partition(":")[0] for line in files_holding(tmp_path, SECRETS)}
    assert "rsspress.yaml" in holding
    assert holding <= {"rsspress.yaml", "state.db", "state.db-wal"}, holding

    # What a reader sees instead: the URL with *** where the secrets were.
    shown = f"http://{USER}:***@127.0.0.1:{port}/feed.xml?key=***"
    assert f'xmlUrl="{shown}"' in results["export"].stdout
    assert "note: 4 feed URLs have secrets" in results["export"].stderr
    assert f'xmlUrl="{shown}"' in (tmp_path / "site" / "sources.opml").read_text("utf-8")
    assert f'xmlUrl="{shown}"' in (tmp_path / "feeds.opml").read_text("utf-8")
    assert f"failed: g / s / invalid (http://{USER}:***@127.0.0.1:99999/" in results["run"].stderr
    assert f"invalid URL: http://{USER}:***@127.0.0.1:99999/feed.xml?key=***" in (
        results["run"].stderr
    )
    rows = {row["name"]: row for row in json.loads(results["status --json"].stdout)}
    assert rows["private"]["url"] == shown
    assert rows["hub"]["url"] == f"http://{USER}:***@127.0.0.1:{port}/telegram/channel/news?key=***"
    assert rows["closed"]["error_kind"] == "refused"
    assert rows["invalid"]["error"].startswith(f"invalid URL: http://{USER}:***@127.0.0.1:99999/")
    # Relative links resolve against the feed's URL without its secrets, and still work.
    posts = "".join(p.read_text("utf-8") for p in (tmp_path / "posts").glob("*.md"))
    assert f"http://127.0.0.1:{port}/post/1.html" in posts
    assert f"http://127.0.0.1:{port}/post/img/a.png" in posts  # against the item's link
    assert f"http://127.0.0.1:{port}/img/b.png" in posts  # no item link: against the feed's


def test_the_state_is_the_owners_alone(tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_private_feeds(httpserver)
    write_config(
        tmp_path,
        f"g:\n  s:\n    f: http://{USER}:{PASSWORD}@127.0.0.1:{httpserver.port}/feed.xml?key={KEY}\n",
    )
    result = run_cli("run", cwd=tmp_path, umask=0o022)
    assert result.returncode == 0, result.stderr
    state = tmp_path / "state.db"
    assert PASSWORD.encode() in state.read_bytes()  # the state needs the URL: it keeps it
    assert mode(state) == OWNER_ONLY
    assert mode(tmp_path / "state.db.lock") == OWNER_ONLY
    # SQLite's side files, made while the state is open, take the file's mode.
    old_umask = os.umask(0o022)
    try:
        with Store(state) as store:
            store.lock()
            store.sync_feeds(load_config(tmp_path / "rsspress.yaml").feeds)
            sides = [tmp_path / "state.db-wal", tmp_path / "state.db-shm"]
            assert [mode(p) for p in sides] == [OWNER_ONLY, OWNER_ONLY]
    finally:
        os.umask(old_umask)


def test_a_state_readable_by_all_is_tightened_when_opened(tmp_path: Path) -> None:
    # A state an older rsspress made (0644), open in another process: WAL and all.
    old_umask = os.umask(0o022)
    try:
        older = sqlite3.connect(tmp_path / "state.db")
        older.execute("PRAGMA journal_mode=WAL")
        older.execute("CREATE TABLE t (x)")
        older.execute("INSERT INTO t VALUES (1)")
        older.commit()
    finally:
        os.umask(old_umask)
    files = [tmp_path / name for name in ("state.db", "state.db-wal", "state.db-shm")]
    try:
        assert [mode(p) for p in files] == [0o644] * 3
        write_config(tmp_path, "g:\n  s:\n    f: f.xml\n")
        result = run_cli("status", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert [mode(p) for p in files] == [OWNER_ONLY] * 3
    finally:
        older.close()


def test_the_proxy_cache_is_the_owners_alone(
    start_proxy: Callable[..., RunningProxy], httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/a.png").respond_with_data(PNG, content_type="image/png")
    cache = tmp_path / "cache"
    old_umask = os.umask(0o022)
    try:
        proxy = start_proxy(allowed_networks=LOOPBACK_ONLY, cache_dir=cache)
        assert get(proxy.url(httpserver.url_for("/a.png")))[:1] == (200,)
    finally:
        os.umask(old_umask)
    files = sorted(cache.iterdir())
    assert [p.suffix for p in files] == [".img", ".json"]
    assert mode(cache) == 0o700
    assert [mode(p) for p in files] == [OWNER_ONLY, OWNER_ONLY]


def test_a_proxy_cache_readable_by_all_is_tightened(
    start_proxy: Callable[..., RunningProxy], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("0" * 64 + ".img", "0" * 64 + ".json"):
        (cache / name).write_bytes(b"x")
        (cache / name).chmod(0o644)
    start_proxy(allowed_networks=LOOPBACK_ONLY, cache_dir=cache)
    assert [mode(p) for p in sorted(cache.iterdir())] == [OWNER_ONLY, OWNER_ONLY]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the state URL, the daemon's log, import ------------------------------------------

POSTGRES_STATES = [
    # an unreachable server: the message names the URL
    "postgresql://u:PWUSERSECRET@127.0.0.1:1/db?password=PWSECRET",
    # URLs libpq cannot read: it quotes the URL, or the piece it could not read
    "postgresql://u:PWUSERSECRET@127.0.0.1:1/db?password=PWSECRET&bogus=1",
    "postgresql://u:PWUSERSECRET@127.0.0.1:1/db?password=PW%ZZSECRET",
    "postgresql://u:PWUSERSECRET@[::1/db?password=PWSECRET",
]


@pytest.mark.parametrize("url", POSTGRES_STATES)
def test_the_state_urls_passwords_are_never_printed(tmp_path: Path, url: str) -> None:
    write_config(tmp_path, "g:\n  s:\n    f: http://127.0.0.1:9/feed\n", state=url)
    for command in (("status",), ("status", "--json"), ("run",)):
        result = run_cli(*command, cwd=tmp_path, timeout=60)
        printed = result.stdout + result.stderr
        assert result.returncode == 2, printed
        assert "cannot connect to the state postgresql://u:***@" in printed
        assert "SECRET" not in printed, printed


def test_the_daemon_logs_no_secret(tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_private_feeds(httpserver)
    credentials = f"{USER}:{PASSWORD}@127.0.0.1"
    (tmp_path / "rsspress.yaml").write_text(
        "output: {dir: posts, format: hexo}\n"
        "daemon: {min_interval: 1s, max_interval: 1s, publish_every: 1s,"
        f" metrics_listen: '127.0.0.1:{free_port()}'}}\n"
        "feeds:\n  g:\n    s:\n"
        f"      private: http://{credentials}:{httpserver.port}/feed.xml?key={KEY}\n"
        f"      invalid: http://{credentials}:99999/feed.xml?key={KEY}\n",
        encoding="utf-8",
    )
    daemon = start_daemon(tmp_path)
    try:
        posts = tmp_path / "posts"
        wait_for(lambda: daemon.poll() is not None or len(list(posts.glob("*.md"))) >= 2,
                 "two posts published", timeout=60)  # fmt: skip
        assert daemon.poll() is None, "the daemon ended"
    finally:
        daemon.send_signal(signal.SIGTERM)
        out, err = daemon.communicate(timeout=60)
    assert f"invalid URL: http://{USER}:***@127.0.0.1:99999/feed.xml?key=***" in err
    assert [s for s in SECRETS if s in out + err] == [], err


def test_import_keeps_a_private_config_private(tmp_path: Path) -> None:
    config = tmp_path / "rsspress.yaml"
    config.write_text(f"feeds:\n  g:\n    s:\n      f: https://h.example/f?key={KEY}\n", "utf-8")
    config.chmod(OWNER_ONLY)
    (tmp_path / "in.opml").write_text(
        '<opml version="2.0"><body><outline text="n" xmlUrl="https://n.example/f"/></body></opml>',
        encoding="utf-8",
    )
    result = run_cli("import", "in.opml", cwd=tmp_path, umask=0o022)
    assert result.returncode == 0, result.stderr
    assert "imported 1 feeds" in result.stdout
    assert KEY in config.read_text("utf-8")
    assert mode(config) == OWNER_ONLY
