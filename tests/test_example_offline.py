"""The bundled offline example, run as the README's first command runs it: a complete site
whose pictures come from the example itself, and which loads nothing from another host."""

from __future__ import annotations

import base64
import re
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import REPO, run_cli
from corpus import serve_directory
from externals import chromium

# Attributes whose URL a browser loads by itself (links are followed only when clicked).
LOADED = {("img", "src"), ("img", "srcset"), ("source", "srcset"), ("source", "src"),
          ("script", "src"), ("iframe", "src"), ("video", "src"), ("video", "poster"),
          ("audio", "src"), ("embed", "src"), ("object", "data")}  # fmt: skip
IMAGE_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "gif": b"GIF8"}


class Loads(HTMLParser):
    """Every URL a page makes the browser load: the attributes above and stylesheets."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (tag, URL)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if (tag, name) not in LOADED:
                continue
            if name == "srcset":
                self.urls += [(tag, part.split()[0]) for part in value.split(",") if part.strip()]
            else:
                self.urls.append((tag, value))
        if tag == "link" and {"stylesheet", "icon", "preload"} & set(values.get("rel", "").split()):
            self.urls.append((tag, values.get("href", "")))


def readme_first_command() -> list[str]:
    """The rsspress part of the README's first command."""
    block = re.search(r"```sh\n(.*?)```", (REPO / "README.md").read_text("utf-8"), re.S)
    assert block is not None
    first = block.group(1).splitlines()[0].split("#")[0]
    command = first.split("&&")[-1].split()
    assert command[0] == "rsspress", first
    return command[1:]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's example, run by the README's first command."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(
        REPO / "examples" / "offline", root / "examples" / "offline",
        ignore=shutil.ignore_patterns("posts", "site", "state.db*"),
    )  # fmt: skip
    result = run_cli(*readme_first_command(), cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 posts written" in result.stdout
    assert "look at the site: rsspress serve -c examples/offline/rsspress.yaml" in result.stdout
    return root / "examples" / "offline"


def image_size(data: bytes) -> tuple[str, int, int]:
    kind = next((k for k, sig in IMAGE_SIGNATURES.items() if data.startswith(sig)), "")
    assert kind == "png", "the example's pictures are PNG"
    width, height = struct.unpack(">II", data[16:24])
    return kind, width, height


def test_every_picture_of_the_site_comes_from_the_example(example: Path) -> None:
    site = example / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 10
    pictures = 0
    for page in pages:
        loads = Loads()
        loads.feed(page.read_text("utf-8"))
        relative = page.relative_to(site).as_posix()
        for tag, url in loads.urls:
            parts = urlsplit(url)
            if parts.scheme == "data" and tag == "link":
                continue  # the empty icon (data:,): it keeps browsers from asking for one
            if parts.scheme == "data":
                media, _, payload = parts.path.partition(",")
                assert media.startswith("image/") and media.endswith(";base64"), url[:60]
                _, width, height = image_size(base64.b64decode(payload))
                assert width > 0 and height > 0
                pictures += tag == "img"
                continue
            # Anything else is a file of the site: no scheme, no host, and it exists.
            assert not parts.scheme and not parts.netloc, f"{relative} loads {url}"
            target = urlsplit(urljoin(f"http://site.invalid/{relative}", url)).path
            assert (site / unquote(target).lstrip("/")).is_file(), f"{relative}: {url}"
    # Each of the four items with a picture shows it on its page (the home page lists text).
    assert pictures >= 4


def test_the_pictures_are_real_images(example: Path) -> None:
    pictures = {
        payload
        for feed in (example / "feeds").iterdir()
        for payload in re.findall(
            r"data:image/png;base64,([A-Za-z0-9+/=]+)", feed.read_text("utf-8")
        )
    }
    # Four pictures of their own, each 320×180: not one-pixel stand-ins.
    assert len(pictures) == 4
    assert {image_size(base64.b64decode(p)) for p in pictures} == {("png", 320, 180)}


def test_hexo_posts_name_no_third_party_host(example: Path) -> None:
    posts = sorted((example / "posts").glob("*.md"))
    assert len(posts) == 5
    for post in posts:
        text = post.read_text("utf-8")
        assert not re.search(r"(src|cover|image)[=:]\s*\"?https?://", text), post.name


def test_a_browser_shows_every_picture_and_asks_no_other_host(example: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
    site = example / "site"
    item_pages = [p for p in site.rglob("*.html") if "data:image/png" in p.read_text("utf-8")]
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=args)
        try:
            page = browser.new_page()
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            shown = 0
            for path in ["index.html", *(p.relative_to(site).as_posix() for p in item_pages)]:
                page.goto(f"{base}/{path}", wait_until="load")
                count = page.evaluate("document.images.length")
                for n in range(count):
                    page.evaluate(f"document.images[{n}].scrollIntoView()")
                page.wait_for_timeout(200)
                widths: list[Any] = page.evaluate(
                    "Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)"
                )
                assert all(width > 0 for width in widths), f"{path}: {widths}"
                shown += len(widths)
        finally:
            browser.close()
    assert shown >= 4
    away = [u for u in requests if urlsplit(u).scheme in ("http", "https")
            and urlsplit(u).hostname != "127.0.0.1"]  # fmt: skip
    assert away == []
