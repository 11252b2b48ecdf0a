"""The HTML site in a real browser: Debian's chromium driven by Playwright.

The site is built from corpus S (tests/generate_corpus.py) by `rsspress run`, served by
`rsspress serve`, and its images come from an image server on 127.0.0.1
(the config's image proxy points there). Screenshots at phone and desktop
widths go to test-artifacts/browser/.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conftest import REPO, free_port, run_cli
from corpus import feeds_yaml, serve_directory
from externals import chromium

ARTIFACTS = REPO / "test-artifacts" / "browser"
# As root, chromium needs --no-sandbox; the rest keep it from calling home (there is
# no outside network here, and a request to one would fail the no-third-party check).
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]  # fmt: skip
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x4a\x90\xe2" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


IMAGE = png(64, 40)


class _ImageHandler(BaseHTTPRequestHandler):
    """Answers every image URL (the original URL rides in the query) with a PNG."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(IMAGE)))
        self.end_headers()
        self.wfile.write(IMAGE)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def image_server() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ImageHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def served_site(
    corpus_s: Path, tmp_path_factory: pytest.TempPathFactory, module_state: str
) -> Iterator[str]:
    work = tmp_path_factory.mktemp("browser")
    images, images_url = image_server()
    try:
        with serve_directory(corpus_s) as base_url:
            feeds = feeds_yaml(corpus_s, base_url)
            (work / "rsspress.yaml").write_text(
                "output: {dir: site, format: html, title: 新闻镜像, page_size: 20,"
                " timezone: Asia/Shanghai}\n"
                f'state: "{module_state}"\n'
                f'images: {{proxy: "{images_url}/img?{{url}}", rewrite: all}}\n'
                "feeds:\n" + "".join(f"  {line}\n" for line in feeds.splitlines()),
                encoding="utf-8",
            )
            result = run_cli("run", "-q", cwd=work)
            assert result.returncode == 0, result.stdout + result.stderr
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "rsspress", "serve", "--listen", f"127.0.0.1:{port}"],
            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "NO_COLOR": "1"},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                assert server.poll() is None, "rsspress serve exited"
                assert time.monotonic() < deadline, "rsspress serve did not start"
                time.sleep(0.2)
        try:
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)
    finally:
        images.shutdown()
        images.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Visit:
    """A page opened at one width, with every console message and request recorded."""

    def __init__(self, browser: Any, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport, service_workers="block")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda msg: (
                self.errors.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error"
                else None
            ),
        )
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("request", lambda request: self.requests.append(request.url))

    def open(self, url: str) -> None:
        self.page.goto(url, wait_until="networkidle")

    def images_loaded(self) -> list[tuple[str, int]]:
        """Scroll every image into view (they load lazily), then report their natural widths."""
        count = self.page.evaluate("document.images.length")
        for n in range(count):
            self.page.evaluate(f"document.images[{n}].scrollIntoView()")
        # Polled from here: wait_for_function polls by eval inside the page, which the
        # site's CSP (script-src 'self') rightly refuses.
        deadline = time.monotonic() + 30
        while not self.page.evaluate("Array.from(document.images).every(i => i.complete)"):
            assert time.monotonic() < deadline, "images still loading after 30 s"
            self.page.wait_for_timeout(50)
        widths: list[tuple[str, int]] = self.page.evaluate(
            "Array.from(document.images).map(i => [i.currentSrc || i.src, i.naturalWidth])"
        )
        return widths

    def close(self) -> None:
        self.context.close()


def check_page(browser: Any, url: str, name: str) -> dict[str, int]:
    """Open a page at both widths; every image loads, no console error, nothing off 127.0.0.1."""
    image_counts = {}
    for width, viewport in VIEWPORTS.items():
        visit = Visit(browser, viewport)
        try:
            visit.open(url)
            images = visit.images_loaded()
            assert [src for src, w in images if w <= 0] == [], f"{name}: images that did not load"
            visit.page.evaluate("window.scrollTo(0, 0)")
            visit.page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=False)
            assert visit.errors == [], f"{name} ({width}): {visit.errors}"
            away = [u for u in visit.requests if urlsplit(u).hostname != "127.0.0.1"]
            assert away == [], f"{name}: requests that left 127.0.0.1: {away}"
            assert visit.page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            image_counts[width] = len(images)
        finally:
            visit.close()
    return image_counts


def test_home_item_and_category_pages_load_completely(browser: Any, served_site: str) -> None:
    home = check_page(browser, served_site, "home")
    assert home["desktop"] > 5  # covers in the list

    visit = Visit(browser, VIEWPORTS["desktop"])
    try:
        visit.open(served_site)
        # an item with pictures in its body, and the feed page it links to
        item_links = visit.page.eval_on_selector_all(
            "article.entry h2 a", "links => links.map(a => a.href)"
        )
        category = visit.page.eval_on_selector("article.entry .meta a", "a => a.href")
    finally:
        visit.close()
    item_url = None
    for link in item_links:
        with urllib.request.urlopen(link, timeout=10) as response:
            if response.read().decode("utf-8").count('<img loading="lazy"') >= 2:
                item_url = link
                break
    assert item_url is not None, "no item with two images on the front page"
    assert check_page(browser, item_url, "item")["desktop"] >= 2
    assert re.search(r"/c/.+/$", category)
    assert check_page(browser, category, "category")["desktop"] > 0


def test_search_finds_a_known_title(browser: Any, served_site: str) -> None:
    visit = Visit(browser, VIEWPORTS["phone"])
    try:
        visit.open(served_site)
        title = visit.page.eval_on_selector_all(
            "article.entry h2 a", "links => links.map(a => a.textContent)"
        )[-1]
        box = visit.page.locator("header form.search input[type=search]")
        box.fill(title)
        box.press("Enter")
        visit.page.wait_for_url(re.compile(r"/search/\?q="))
        results = visit.page.locator("#results li a")
        results.first.wait_for(timeout=30_000)
        found = results.all_text_contents()
        assert title in found, (title, found[:5])
        visit.page.screenshot(path=str(ARTIFACTS / "search-phone.png"))
        assert visit.errors == []
        assert [u for u in visit.requests if urlsplit(u).hostname != "127.0.0.1"] == []
        # the result leads to the item's page
        results.filter(has_text=title).first.click()
        visit.page.wait_for_load_state("networkidle")
        assert visit.page.locator("article.post h1").text_content() == title
    finally:
        visit.close()
