"""What rsspress writes and prints stays safe whatever a feed, an OPML or a config holds.

- ``original:`` in Hugo and Jekyll posts is a web link or nothing (a theme makes it a link);
- names go into Hexo front matter so that js-yaml, Hexo's reader, reads strings;
- ``rsspress serve`` says when it is reachable from the network, and odd paths get a 404;
- a proxy key written as a YAML number is not echoed by the config error;
- ``rsspress import`` takes only http(s) outlines, and says which it skipped.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pytest_httpserver import HTTPServer

from conftest import free_port, run_cli, write_config
from externals import node_for_hexo
from hexo_check import check_with_hexo
from rsspress.config import load_config
from rsspress.publish.hugo import render_hugo
from rsspress.publish.jekyll import render_jekyll
from rsspress.publish.post import yaml_scalar
from rsspress.publish.site.serve import is_loopback
from test_publish_hugo_jekyll import (
    TWO_OUTPUTS,
    assert_clean,
    build_hugo,
    build_jekyll,
    hugo_pages,
    jekyll_pages,
    post,
    read_page,
    split_post,
)

# -- original: in Hugo and Jekyll -------------------------------------------------------------

NOT_WEB_LINKS = [
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://example.com/%0aalert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "//evil.example/x",
    "/relative/path",
    "",
]
WEB_LINKS = ["https://example.com/a?b=1#c", "HTTP://EXAMPLE.COM/A", "http://例子.中国/新闻"]


@pytest.mark.parametrize("fmt", ["hugo", "jekyll"])
@pytest.mark.parametrize("link", NOT_WEB_LINKS + WEB_LINKS)
def test_original_is_a_web_link_or_nothing(fmt: str, link: str) -> None:
    render = render_hugo if fmt == "hugo" else render_jekyll
    meta, _ = split_post(render(post(link=link)))
    if link in WEB_LINKS:
        assert meta["original"] == link
    else:
        assert "original" not in meta, meta


HOSTILE_LINK_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "links",
    "items": [
        {"id": str(n), "url": link, "title": f"link {n}", "content_html": f"<p>item {n}</p>",
         "date_published": f"2025-02-{10 + n:02d}T12:00:00Z"}
        for n, link in enumerate(
            ["javascript:alert(1)", "JAVASCRIPT:alert(2)", "data:text/html,<script>alert(3)</script>",
             "vbscript:msgbox(4)", "https://example.com/ok"]
        )
    ],
}  # fmt: skip


def run_link_feed(tmp_path: Path, httpserver: HTTPServer, state: str) -> None:
    httpserver.expect_request("/links.json").respond_with_data(
        json.dumps(HOSTILE_LINK_FEED), content_type="application/feed+json"
    )
    feeds = f"g:\n  s:\n    f: {httpserver.url_for('/links.json')}\n"
    write_config(tmp_path, feeds, state=state, output=TWO_OUTPUTS)
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_posts_carry_no_script_original(
    tmp_path: Path, httpserver: HTTPServer, state: str
) -> None:
    run_link_feed(tmp_path, httpserver, state)
    posts = [
        *(tmp_path / "hugo-site/content/posts").glob("*.html"),
        *(tmp_path / "jekyll-site/_posts").glob("*.html"),
    ]
    assert len(posts) == 2 * len(HOSTILE_LINK_FEED["items"])
    originals = [split_post(p.read_text("utf-8"))[0].get("original") for p in posts]
    assert sorted(map(str, originals)) == ["None"] * 8 + ["https://example.com/ok"] * 2


@pytest.mark.slow
def test_built_hugo_and_jekyll_pages_link_only_to_the_web(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Jekyll's layout writes `original` into an href as it is: it must be a web link."""
    run_link_feed(tmp_path, httpserver, "state.db")
    hugo, jekyll = build_hugo(tmp_path), build_jekyll(tmp_path)
    assert_clean(hugo, "hugo")
    assert_clean(jekyll, "jekyll")
    for pages in (hugo_pages(hugo.site), jekyll_pages(jekyll.site)):
        originals = sorted(str(read_page(path).original) for path in pages.values())
        assert originals == ["None"] * 4 + ["https://example.com/ok"]
        for path in pages.values():
            hrefs = re.findall(r'href="([^"]*)"', path.read_text("utf-8"))
            assert not [h for h in hrefs if re.match(r"\s*(javascript|vbscript|data):", h, re.I)]


# -- names in Hexo front matter ----------------------------------------------------------------

# Plain, each is something other than a string to js-yaml 4 (Hexo's reader), PyYAML or YAML
# 1.1 readers; JS_ONLY are the ones PyYAML reads as strings (the gap this closes).
JS_ONLY = ["0o17", "-0o17", "1e3", "1E3", "1e+3", "1.5e3", ".5e3"]
NOT_STRINGS = [
    *JS_ONLY,
    "+.5",  # a float in YAML 1.2's core schema, though neither js-yaml nor PyYAML reads it so
    "0x1F", "+0x1f", "0b101", "012", "+1", "-7", "1_000", ".5", "1.", "-0",
    ".inf", "-.Inf", ".NaN", "~", "null", "Null", "NULL",
    "true", "True", "TRUE", "false", "False", "yes", "No", "on", "OFF", "y", "N",
    "2024-01-01", "<<",
]  # fmt: skip
# Names that stay plain, as the reference wrote them.
PLAIN = ["新媒体", "IT之家", "C++", "v1.0", "1.2.3", "3D打印", "Python 3", "e3", "0o", "0x", ".net",
         "+", "1e", "yesterday", "Null Pointer", "0o8", "0b2"]  # fmt: skip


@pytest.mark.parametrize("name", NOT_STRINGS)
def test_names_any_yaml_reader_takes_for_numbers_are_quoted(name: str) -> None:
    written = yaml_scalar(name)
    assert written == f"'{name}'"
    assert yaml.safe_load(f"v: {written}") == {"v": name}


@pytest.mark.parametrize("name", PLAIN)
def test_ordinary_names_stay_plain(name: str) -> None:
    assert yaml_scalar(name) == name
    assert yaml.safe_load(f"v: {name}") == {"v": name}


HEXO_NAMES = [("0o17", "1e3", "0x1F"), (".5", "+1", "1_000"), ("1.5e3", "null", "2024-01-01")]


@pytest.fixture(scope="module")
def hexo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, object], Path]]:
    """Posts whose categories js-yaml would read as numbers, built by real Hexo 8.

    Yields Hexo's manifest (what it made of each post) and the kept site, whose
    node_modules hold the js-yaml that Hexo reads front matter with.
    """
    node_for_hexo()
    work = tmp_path_factory.mktemp("hexo-names")
    server = HTTPServer(host="127.0.0.1")
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "names",
        "authors": [{"name": "1e3"}],
        "items": [{"id": "1", "url": "https://example.com/1", "title": "t",
                   "content_html": "<p>x</p>", "date_published": "2025-02-20T12:00:00Z"}],
    }  # fmt: skip
    server.expect_request("/names.json").respond_with_data(
        json.dumps(feed), content_type="application/feed+json"
    )
    server.start()
    try:
        tree = {g: {s: {f: server.url_for("/names.json")}} for g, s, f in HEXO_NAMES}
        write_config(work, yaml.safe_dump(tree), profile="default")
        result = run_cli("run", cwd=work)
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((work / "posts").glob("*.md"))) == len(HEXO_NAMES)
    hexo = check_with_hexo(work / "posts", keep=True)
    kept = re.search(r"check-posts: kept (\S+)", hexo.stdout)
    assert kept, hexo.stdout[-3000:] + hexo.stderr[-2000:]
    site = Path(kept[1])
    try:
        assert hexo.returncode == 0, hexo.stdout[-5000:] + hexo.stderr[-2000:]
        manifest = json.loads((site / "public" / "rsspress-manifest.json").read_text("utf-8"))
        yield manifest, site
    finally:
        shutil.rmtree(site, ignore_errors=True)


@pytest.mark.slow
def test_real_hexo_keeps_names_that_look_like_numbers(
    hexo_site: tuple[dict[str, object], Path],
) -> None:
    manifest, _ = hexo_site
    categories = manifest["categories"]
    assert isinstance(categories, list)
    assert sorted(c["name"] for c in categories) == sorted(n for names in HEXO_NAMES for n in names)


@pytest.mark.slow
def test_js_yaml_reads_every_written_name_back_as_itself(
    hexo_site: tuple[dict[str, object], Path],
) -> None:
    """The rules against Hexo's own js-yaml: quoted names load as themselves, plain ones too,
    and the JS_ONLY names, unquoted, really are numbers to it."""
    _, site = hexo_site
    script = """
const reader = require.resolve('js-yaml', {paths: [require.resolve('hexo-front-matter')]});
const yaml = require(reader);
const cases = JSON.parse(process.argv[1]);
console.log(JSON.stringify(cases.map(([raw, written]) =>
  [typeof yaml.load('v: ' + raw).v, yaml.load('v: ' + written).v])));
"""
    names = NOT_STRINGS + PLAIN
    cases = [[name, yaml_scalar(name)] for name in names]
    node = subprocess.run(
        ["node", "-e", script, json.dumps(cases)],
        cwd=site, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert node.returncode == 0, node.stderr
    read = dict(zip(names, json.loads(node.stdout), strict=True))
    for name, (raw_type, loaded) in read.items():
        assert loaded == name, (name, loaded)
        if name in JS_ONLY:
            assert raw_type == "number", (name, raw_type)
        if name in PLAIN:
            assert raw_type == "string", (name, raw_type)


# -- rsspress serve --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("10.0.0.1", False),
     ("preview.example", False), ("", False)],
)  # fmt: skip
def test_which_listen_hosts_stay_on_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def serve(tmp_path: Path, listen: str) -> tuple[subprocess.Popen[str], int]:
    (tmp_path / "rsspress.yaml").write_text(
        "output: {dir: site, format: html}\nfeeds: {g: {s: {f: https://a.test/}}}\n", "utf-8"
    )
    port = int(listen.rpartition(":")[2])
    server = subprocess.Popen(
        [sys.executable, "-m", "rsspress", "serve", "--listen", listen],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            assert get(port, "/")[0] == 200
            return server, port
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise AssertionError("serve did not start: " + server.communicate()[1]) from None
            time.sleep(0.1)


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def stop(server: subprocess.Popen[str]) -> tuple[str, str]:
    server.terminate()
    out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    return out, err


def test_serve_answers_paths_no_file_can_have_with_404(tmp_path: Path) -> None:
    server, port = serve(tmp_path, f"127.0.0.1:{free_port()}")
    try:
        statuses = {p: get(port, p)[0] for p in ("/%00", "/a%00b", "/%00/index.html",
                                                   "/%ED%A0%80", "/search/%00")}  # fmt: skip
        assert get(port, "/index.html")[0] == 200  # and it still serves
    finally:
        out, err = stop(server)
    assert statuses == dict.fromkeys(statuses, 404)
    assert "Traceback" not in err and "Error" not in err, err
    assert "warning" not in err  # loopback: nothing to warn about
    assert "serving" in out


def test_serve_warns_when_the_network_can_reach_it(tmp_path: Path) -> None:
    server, _ = serve(tmp_path, f"0.0.0.0:{free_port()}")
    _, err = stop(server)
    assert "warning: listening on 0.0.0.0 exposes the preview to the network" in err


def test_serve_on_an_address_it_cannot_take_is_a_clean_error(tmp_path: Path) -> None:
    (tmp_path / "rsspress.yaml").write_text(
        "output: {dir: site, format: html}\nfeeds: {g: {s: {f: https://a.test/}}}\n", "utf-8"
    )
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: nothing is sent anywhere.
    result = run_cli("serve", "--listen", "192.0.2.1:8000", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "warning: listening on 192.0.2.1" in result.stderr
    assert "error: cannot listen on 192.0.2.1:8000" in result.stderr
    assert "Traceback" not in result.stderr


# -- the proxy key in config errors ------------------------------------------------------------

# (the key as written, what the error says instead, the forms of it that must not show)
SECRET_KEYS = [
    ("12345678901234567890", "a number", ["12345678901234567890"]),
    ("0x5EC12E7", "a number", ["0x5EC12E7", str(0x5EC12E7)]),
    ("6.02e+23", "a number", ["6.02e+23", "6.02e23", str(6.02e23)]),
    ("2031-12-24", "a date", ["2031-12-24", "datetime"]),
    ("!!binary c2VjcmV0LWtleS12YWx1ZQ==", "binary data", ["c2VjcmV0", "secret-key-value"]),
    ("!custom 9f8e7d6c5b4a", "a value YAML can read", ["9f8e7d6c5b4a"]),
    ("2031-13-45", "a value YAML can read", ["2031-13-45"]),  # no such date: it fails to build
]


@pytest.mark.parametrize(("written", "said", "forms"), SECRET_KEYS)
def test_a_proxy_key_yaml_does_not_read_as_text_is_not_echoed(
    tmp_path: Path, written: str, said: str, forms: list[str]
) -> None:
    (tmp_path / "rsspress.yaml").write_text(
        f"images:\n  proxy: self\n  proxy_base: https://img.example\n  proxy_key: {written}\n"
        "feeds: {g: {s: {f: https://a.test/}}}\n",
        "utf-8",
    )
    for command in ("status", "proxy"):
        result = run_cli(command, cwd=tmp_path, timeout=60)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "images.proxy_key" in result.stderr and said in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        shown = result.stdout + result.stderr
        for form in forms:
            assert form.lower() not in shown.lower(), (form, shown)


# -- rsspress import ------------------------------------------------------------------------

OUTLINES = [
    # (xmlUrl, imported?)
    ("https://news.example/feed.xml", True),
    ("HTTP://NEWS.EXAMPLE/upper.xml", True),
    ("file:///etc/passwd", False),
    ("FILE:///proc/self/environ", False),
    ("File://localhost/etc/hostname", False),
    ("file:/etc/passwd", False),
    ("file:\\\\localhost\\etc\\passwd", False),
    ("/etc/passwd", False),
    ("../../../etc/passwd", False),
    ("~/.ssh/id_rsa", False),
    ("feeds/local.xml", False),
    ("rsshub:/zaker/channel/13", False),
    ("javascript:alert(1)", False),
    ("ftp://user:hunter2@files.example/feed.xml", False),
    ("http:/etc/passwd", False),
    ("http://[::1/feed.xml", False),
]


def test_import_takes_only_web_feeds_and_names_each_skipped_outline(tmp_path: Path) -> None:
    outlines = "".join(
        f'<outline text="feed {n}" xmlUrl="{url}" htmlUrl="javascript:alert({n})"/>'
        for n, (url, _) in enumerate(OUTLINES)
    )
    (tmp_path / "in.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="g"><outline text="s">'
        f"{outlines}</outline></outline></body></opml>",
        encoding="utf-8",
    )
    result = run_cli("import", "in.opml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    wanted = [url for url, imported in OUTLINES if imported]
    skipped = len(OUTLINES) - len(wanted)
    assert f"imported {len(wanted)} feeds" in result.stdout
    assert f"{skipped} skipped" in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == skipped, result.stderr
    for n, (url, imported) in enumerate(OUTLINES):
        said = [line for line in lines if f"'g / s / feed {n}'" in line]
        assert len(said) == (0 if imported else 1), (url, result.stderr)
    assert "hunter2" not in result.stderr  # a skipped URL's password is not printed

    config = load_config(tmp_path / "rsspress.yaml")
    assert sorted(f.url for f in config.feeds) == sorted(wanted)
    assert all(f.home is None for f in config.feeds)  # javascript: htmlUrl left out
    feeds = (tmp_path / "rsspress.yaml").read_text("utf-8").partition("\nfeeds:")[2]
    assert "feed 1:" in feeds  # the section written by the import
    assert "file:" not in feeds.lower() and "passwd" not in feeds and "javascript" not in feeds
