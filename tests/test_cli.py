"""The command line as users meet it: example, status, lock, progress on a terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, posts_in, run_cli, write_config
from feeds import rss
from rsspress.cli import common, status_view
from rsspress.model import FeedState, Outcome
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
    screen = on_a_terminal(["run"], tmp_path, {**os.environ, "COLUMNS": "120", "TERM": "xterm"})
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


LONG_NAME = "a-feed-whose-name-alone-is-wider-than-eighty-columns-" + "x" * 60


def _status_config(tmp_path: Path) -> str:
    """A config whose one feed's row is wider than 80 columns; what its row starts with."""
    (tmp_path / "ok.xml").write_bytes(rss("ok", 1))
    write_config(tmp_path, f"group:\n  site:\n    {LONG_NAME}: ok.xml\n")
    assert run_cli("run", cwd=tmp_path).returncode == 0
    return f"group / site / {LONG_NAME}"


def test_status_piped_is_not_wrapped(tmp_path: Path) -> None:
    label = _status_config(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    piped = subprocess.run(
        [sys.executable, "-m", "rsspress", "status"],
        cwd=tmp_path,
        env={**env, "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert piped.returncode == 0, piped.stderr
    (row,) = [line for line in piped.stdout.splitlines() if "group / site" in line]
    assert label in row  # whole, on one line: rich folds at 80 columns when not told otherwise
    assert len(row) > 120


def test_status_on_a_terminal_fits_its_width(tmp_path: Path) -> None:
    label = _status_config(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    screen = on_a_terminal(["status"], tmp_path, {**env, "TERM": "xterm", "NO_COLOR": "1"},
                           size=(40, 100))  # fmt: skip
    lines = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen).splitlines()
    assert max(len(line) for line in lines) == 100  # the terminal's width, not 80, not more
    assert label not in "\n".join(lines)  # folded to fit
    assert LONG_NAME[:20] in "\n".join(lines)


def _state(**fields: Any) -> FeedState:
    base: dict[str, Any] = dict(
        key="k", group="g", site="s", name="f", url="http://x/", etag=None,
        last_modified=None, last_fetch_at=None, last_ok_at=None, last_outcome=None,
        error_kind=None, error_message=None, failures=0, next_attempt_at=None,
    )  # fmt: skip
    return FeedState(**{**base, **fields})


@pytest.mark.parametrize(
    ("fields", "health", "due", "by"),
    [
        ({}, "new", None, None),
        ({"last_outcome": Outcome.OK, "next_poll_at": 50.0}, "ok", 50.0, None),
        ({"last_outcome": Outcome.NOT_MODIFIED}, "not modified", None, None),
        ({"last_outcome": Outcome.OK, "malformed": "line 1"}, "malformed", None, None),
        ({"last_outcome": Outcome.ERROR, "next_attempt_at": 70.0, "next_poll_at": 50.0},
         "failing", 70.0, None),
        ({"last_outcome": Outcome.ERROR, "dead_reason": "gone"}, "dead", None, None),
        ({"lease_owner": "box:123:9", "lease_until": 200.0}, "new", None, "box:123"),
        ({"lease_owner": "box:123:9", "lease_until": 100.0}, "new", None, None),  # lapsed
    ],
)  # fmt: skip
def test_status_words(
    fields: dict[str, Any], health: str, due: float | None, by: str | None
) -> None:
    state = _state(**fields)
    assert status_view.health(state) == health
    assert status_view.next_due(state) == due
    assert status_view.fetching_by(state, now=100.0) == by


@pytest.mark.parametrize(
    ("t", "ago", "when"),
    [
        (None, "never", "next run"),
        (100.0, "0 s ago", "next run"),
        (41.0, "59 s ago", "next run"),
        (40.0, "1 min ago", "next run"),
        (100.0 + 7200, "0 s ago", "in 2 h"),
        (100.0 - 3 * 86400, "3 d ago", "next run"),
    ],
)
def test_time_words(t: float | None, ago: str, when: str) -> None:
    assert common.ago(t, 100.0) == ago
    assert common.when(t, 100.0) == when


def on_a_terminal(
    args: list[str], cwd: Path, env: dict[str, str], size: tuple[int, int] | None = None
) -> str:
    """What ``rsspress args`` shows on a terminal (a pseudo-terminal of ``size`` rows and
    columns); the command must succeed."""
    leader, follower = pty.openpty()
    if size is not None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "rsspress", *args],
        cwd=cwd,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
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
    return output.decode("utf-8", "replace")
