"""The command line as users meet it: example, status, lock, progress on a terminal."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, posts_in, run_cli, write_config
from feeds import rss
from rsspress.store import Store


def test_offline_example_runs_without_network(tmp_path: Path, state: str) -> None:
    example = shutil.copytree(
        REPO / "examples" / "offline",
        tmp_path / "offline",
        ignore=shutil.ignore_patterns("posts", "state.db*"),  # a local run's output
    )
    config = example / "rsspress.yaml"
    text = config.read_text(encoding="utf-8")
    assert "\nstate: state.db\n" in text
    config.write_text(text.replace("\nstate: state.db\n", f'\nstate: "{state}"\n'), "utf-8")

    result = run_cli("run", "-c", "offline/rsspress.yaml", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "4 fetched, 0 not modified, 0 failed; 5 posts written" in result.stdout
    posts = posts_in(example)
    assert len(posts) == 5
    text = "".join(p.read_text(encoding="utf-8") for p in posts)
    assert "DockOne" in text and "掘金" in text and "少数派" in text  # RSS 1.0, JSON, Atom
    again = run_cli("run", "-c", "offline/rsspress.yaml", cwd=tmp_path)
    assert "0 fetched, 4 not modified" in again.stdout  # file feeds answer "not modified" too


def test_status_lists_every_feed_with_its_health(tmp_path: Path, state: str) -> None:
    (tmp_path / "ok.xml").write_bytes(rss("ok", 2))
    write_config(tmp_path, "g:\n  s:\n    good: ok.xml\n    gone: missing.xml\n", state=state)
    assert run_cli("run", cwd=tmp_path).returncode == 1

    table = run_cli("status", cwd=tmp_path)
    rows = json.loads(run_cli("status", "--json", cwd=tmp_path).stdout)

    assert table.returncode == 0
    assert "failing" in table.stdout and "ok" in table.stdout
    assert [(r["name"], r["state"], r["items"]) for r in rows] == [
        ("gone", "failing", 0),
        ("good", "ok", 2),
    ]
    assert rows[0]["error_kind"] == "io" and "missing.xml" in rows[0]["error"]
    assert rows[0]["next_attempt"] is not None and rows[1]["last_ok"] is not None


def test_a_second_run_on_the_same_state_is_refused(tmp_path: Path) -> None:
    # SQLite only: one process holds the file. A PostgreSQL state is shared by
    # several workers, which take feeds with leases instead.
    (tmp_path / "ok.xml").write_bytes(rss("ok", 1))
    write_config(tmp_path, "g:\n  s:\n    f: ok.xml\n")
    holder = Store(tmp_path / "state.db")
    holder.lock()
    try:
        result = run_cli("run", cwd=tmp_path)
    finally:
        holder.close()
    assert result.returncode == 2
    assert "another rsspress process" in result.stderr
    assert posts_in(tmp_path) == []


def test_progress_shows_on_a_terminal(tmp_path: Path, state: str) -> None:
    (tmp_path / "ok.xml").write_bytes(rss("ok", 3))
    write_config(tmp_path, "g:\n  s:\n    f: ok.xml\n", state=state)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "rsspress", "run"],
        cwd=tmp_path,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"},
    )
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0
    os.close(leader)
    screen = output.decode("utf-8", "replace")
    assert "fetching" in screen and "1/1" in screen and "3 posts" in screen
    assert "1 fetched, 0 not modified, 0 failed; 3 posts written" in screen


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    # Port 9 on loopback: nothing listens there. The password must not be echoed.
    write_config(tmp_path, "g:\n  s:\n    f: http://127.0.0.1:9/feed\n",
                 state="postgresql://news:secret@127.0.0.1:9/news")  # fmt: skip
    for command in ("run", "status"):
        result = run_cli(command, cwd=tmp_path, timeout=60)
        assert result.returncode == 2, result.stderr
        assert "cannot connect to the state postgresql://news:***@127.0.0.1:9/news" in (
            result.stdout + result.stderr
        )
        assert "check that PostgreSQL runs" in result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert "secret" not in result.stdout + result.stderr
