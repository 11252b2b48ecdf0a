"""Ctrl-C during `rsspress run`: exit 130, keeping what was written, and the site built for it.

A slow RSSHub on 127.0.0.1 serves many feeds; SIGINT goes to the run's whole process group
(as a terminal's Ctrl-C does, worker processes included) once the first posts are on disk.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import state_location, write_config
from feeds import rss
from rsspress.publish.hexo import post_filename
from rsspress.store import Store

FEEDS = 24
ITEMS = 2
DELAY = 0.5  # seconds each feed takes to answer


class SlowFeeds(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        time.sleep(DELAY)
        body = rss(self.path.strip("/").replace("/", "-"), ITEMS)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the run stopped and hung up

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_rsshub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowFeeds)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def recorded(directory: Path, state: str) -> dict[str, str]:
    """Post file name → title, of every item the state says is published."""
    with Store(state_location(directory, state)) as store:
        rows = store.db.execute(
            "SELECT post_id, title FROM items WHERE state = 'published'"
        ).fetchall()
    return {post_filename(str(post_id)): str(title) for post_id, title in rows}


def test_ctrl_c_keeps_what_was_written_and_a_rerun_publishes_the_rest(
    tmp_path: Path, state: str, slow_rsshub: str
) -> None:
    feeds = "".join(f"    f{n}: {slow_rsshub}/feed/{n}\n" for n in range(FEEDS))
    write_config(
        tmp_path, f"g:\n  s:\n{feeds}", state=state,
        output="[{dir: posts, format: hexo}, {dir: site, format: html}]",
        extra="fetch: {concurrency: 2, per_host: 2}\n",
    )  # fmt: skip
    run = subprocess.Popen(
        [sys.executable, "-m", "rsspress", "run"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not list((tmp_path / "posts").glob("*.md")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list((tmp_path / "posts").glob("*.md")), "no post was written in 60 s"
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
    stdout, stderr = run.communicate(timeout=60)

    assert run.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr, stderr
    kept = recorded(tmp_path, state)
    on_disk = {p.name for p in (tmp_path / "posts").glob("*.md")}
    assert 0 < len(kept) < FEEDS * ITEMS, "stopped before the end, after the first posts"
    assert set(kept) == on_disk  # every post written is recorded, and only those
    assert f"interrupted: the {len(kept)} posts written are recorded and in the site" in stderr
    assert "left for the next run" in stdout
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    for title in kept.values():
        assert title in home  # the site was built for what was written
    assert not list((tmp_path / "posts").glob(".*"))  # no temporary file left behind

    rerun = subprocess.run(
        [sys.executable, "-m", "rsspress", "run"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert f"{FEEDS * ITEMS - len(kept)} posts written" in rerun.stdout
    everything = recorded(tmp_path, state)
    posts = {p.name for p in (tmp_path / "posts").glob("*.md")}
    assert len(everything) == FEEDS * ITEMS == len(posts) and set(everything) == posts
    assert set(kept) <= set(everything)
