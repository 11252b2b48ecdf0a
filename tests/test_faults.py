"""Five feeds fail in five ways; the fifteen others are published all the same."""

from __future__ import annotations

import json
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from conftest import posts_in, run_cli, write_config
from feeds import rss

GOOD_FEEDS = 15
ITEMS = 3
BROKEN = ("http500", "hang", "reset", "invalid", "huge")


class FaultyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    broken: ClassVar[bool] = True
    release: ClassVar[threading.Event] = threading.Event()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        name = self.path.strip("/")
        if not self.broken or name.startswith("good"):
            return self.send_feed(rss(name, ITEMS))
        if name == "http500":
            self.send_error(500, "Internal Server Error")
        elif name == "hang":
            self.release.wait(60)  # never answers within any sane timeout
        elif name == "reset":
            body = rss(name, ITEMS)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends a TCP RST mid-body
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
            self.close_connection = True
        elif name == "invalid":
            self.send_feed(b'<?xml version="1.0"?>\n<<<< this is not a feed >>>> </rss>')
        elif name == "huge":
            # 50 MB with no Content-Length: the cap must hold while streaming
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<!-- padding -->" * 4096
            try:
                for _ in range(50 * 1024 * 1024 // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True

    def send_feed(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def faulty_server() -> Iterator[str]:
    FaultyHandler.broken = True
    FaultyHandler.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultyHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    FaultyHandler.release.set()
    server.shutdown()
    server.server_close()


def test_failing_feeds_are_recorded_and_the_others_published(
    faulty_server: str, tmp_path: Path, state: str
) -> None:
    lines = ["测试:"]
    for n in range(GOOD_FEEDS):
        lines.append(f"  站点{n}:\n    feed: {faulty_server}/good{n}")
    lines.append("  故障:")
    lines += [f"    {name}: {faulty_server}/{name}" for name in BROKEN]
    fetch = (
        "fetch: {connect_timeout: 2, read_timeout: 2, total_timeout: 3,"
        " max_bytes: 5000000, retry_base: 600}\n"
    )
    write_config(tmp_path, "\n".join(lines) + "\n", extra=fetch, state=state)

    started = time.monotonic()
    first = run_cli("run", cwd=tmp_path)
    elapsed = time.monotonic() - started

    assert first.returncode == 1, first.stdout + first.stderr
    assert len(posts_in(tmp_path)) == GOOD_FEEDS * ITEMS
    assert elapsed < 30, "the hanging feed must cost no more than its own timeout"
    status = json.loads(run_cli("status", "--json", cwd=tmp_path).stdout)
    by_name = {s["name"]: s for s in status}
    assert {n: by_name[n]["error_kind"] for n in BROKEN} == {
        "http500": "http",
        "hang": "timeout",
        "reset": "reset",
        "invalid": "parse",
        "huge": "too_large",
    }
    assert all(by_name[n]["state"] == "failing" and by_name[n]["next_attempt"] for n in BROKEN)
    good = [s for s in status if s["name"] == "feed"]
    assert len(good) == GOOD_FEEDS
    assert all(s["state"] == "ok" and s["items"] == ITEMS for s in good)
    assert [s["state"] for s in status[: len(BROKEN)]] == ["failing"] * len(BROKEN)
    for name in BROKEN:
        assert name in first.stderr  # each failure is named on the terminal

    # The feeds recover. A plain run leaves them to their backoff ...
    FaultyHandler.broken = False
    waiting = run_cli("run", cwd=tmp_path)
    # ... and, as they are still failing for all it knows, says so: exit 1, each one named.
    assert waiting.returncode == 1, waiting.stdout + waiting.stderr
    assert "5 backing off" in waiting.stdout
    for name in BROKEN:
        assert f"still failing: 测试 / 故障 / {name} (" in waiting.stderr
    assert len(posts_in(tmp_path)) == GOOD_FEEDS * ITEMS

    # ... and --force fetches them now.
    forced = run_cli("run", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert len(posts_in(tmp_path)) == (GOOD_FEEDS + len(BROKEN)) * ITEMS
    status = json.loads(run_cli("status", "--json", cwd=tmp_path).stdout)
    assert all(s["state"] != "failing" and s["error_kind"] is None for s in status)
