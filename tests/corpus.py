"""The test corpus (tests/generate_corpus.py): generated once, served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml


def corpus_feeds(corpus: Path) -> list[dict[str, Any]]:
    feeds: list[dict[str, Any]] = yaml.safe_load((corpus / "config.yaml").read_text("utf-8"))[
        "feeds"
    ]
    return feeds


def corpus_item_count(corpus: Path) -> int:
    manifest = json.loads((corpus / "manifest.json").read_text("utf-8"))
    return int(manifest["items"])


def feeds_yaml(corpus: Path, base_url: str) -> str:
    """The corpus's feeds as an rsspress group → site → feed tree."""
    tree: dict[str, dict[str, dict[str, str]]] = {}
    for feed in corpus_feeds(corpus):
        group, site, name = feed["category"]
        tree.setdefault(group, {}).setdefault(site, {})[name] = f"{base_url}/{feed['path']}"
    return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """A real threaded HTTP server (Last-Modified, If-Modified-Since → 304) on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def copy_corpus(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
