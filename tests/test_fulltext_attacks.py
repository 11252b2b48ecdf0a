"""Full text against a stranger's feed: item links to loopback, to files, and redirects there.

A full-text feed makes rsspress fetch what its items link to and publish it. The
attacks below plant links to a loopback admin page (a live server that would
answer), to local files in every spelling, and relative links against a channel
``<link>`` that is a file URL. None may be fetched; each item keeps its summary.
"""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Response

from conftest import posts_in, run_cli, state_location, write_config
from rsspress.store import Store

SECRET = "TOP-SECRET-ADMIN-TOKEN-5f1c"
SELECT_ALL = "content:\n  rules:\n    - feeds: [g/s]\n      fulltext_selector: body\n"
OUTPUTS = "[{dir: posts, format: hexo}, {dir: site, format: html, title: t}]"


def feed(channel_link: str, links: list[str]) -> str:
    items = "".join(
        f"<item><title>item {n}</title><guid>i{n}</guid><link>{link}</link>"
        f"<description>summary {n}</description></item>"
        for n, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>c</title>'
        f"<link>{channel_link}</link>{items}</channel></rss>"
    )


def published_text(directory: Path) -> str:
    return "".join(
        path.read_text("utf-8", errors="replace")
        for out in ("posts", "site")
        for path in (directory / out).rglob("*")
        if path.is_file()
    )


def test_item_links_to_loopback_and_files_are_never_fetched(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    secret_dir = tmp_path / "secret"
    secret_dir.mkdir()
    (secret_dir / "token.html").write_text(f"<html><body><p>{SECRET}</p></body></html>")
    httpserver.expect_request("/admin").respond_with_data(
        f"<html><body><p>{SECRET}</p></body></html>", content_type="text/html"
    )
    port = httpserver.port
    file_path = (secret_dir / "token.html").as_posix()
    links = [
        f"http://127.0.0.1:{port}/admin",
        f"http://localhost:{port}/admin",
        f"http://１２７.０.０.１:{port}/admin",
        f"http://127。0。0。1:{port}/admin",
        f"http://[::ffff:127.0.0.1]:{port}/admin",
        f"http://2130706433:{port}/admin",
        f"file://{file_path}",
        f"FILE://{file_path}",
        f"file://localhost{file_path}",
        f"File:{file_path}",
        "token.html",  # relative: resolved against the channel's file: link
        "/proc/self/environ",
        "javascript:alert(1)",
    ]
    # The feed itself is the user's choice: served from loopback, allowed as a feed URL.
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(f"file://{secret_dir.as_posix()}/", links), content_type="application/rss+xml"
    )
    write_config(
        tmp_path,
        f"g:\n  s:\n    f: {{url: http://127.0.0.1:{port}/feed.xml, fulltext: true}}\n",
        extra=SELECT_ALL,
        output=OUTPUTS,
    )

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert [r.path for r, _ in httpserver.log] == ["/feed.xml"]  # no page request at all
    assert len(posts_in(tmp_path)) == len(links)  # every item published, with its summary
    text = published_text(tmp_path)
    assert SECRET not in text
    assert "summary 0" in text and f"summary {len(links) - 1}" in text
    with Store(state_location(tmp_path, "state.db")) as store:
        errors = [e for (e,) in store.db.execute("SELECT error FROM pages WHERE error IS NOT NULL")]
    assert errors and all(e.startswith("forbidden") for e in errors), errors


def test_redirects_from_an_allowed_page_host_are_judged_on_every_hop(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    port = httpserver.port
    secret_file = tmp_path / "token.html"
    secret_file.write_text(f"<html><body><p>{SECRET}</p></body></html>")
    hops = {
        "/to-file": f"file://{secret_file.as_posix()}",
        "/to-other-loopback": f"http://127.0.0.2:{port}/admin",
        "/to-unicode": f"http://１２７.０.０.２:{port}/admin",
        "/to-v6": f"http://[::1]:{port}/admin",
        "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    }
    for path, location in hops.items():
        httpserver.expect_request(path).respond_with_response(
            Response(status=302, headers={"Location": location})
        )
    httpserver.expect_request("/admin").respond_with_data(
        f"<html><body><p>{SECRET}</p></body></html>", content_type="text/html"
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        feed(f"http://127.0.0.1:{port}/", [f"http://127.0.0.1:{port}{p}" for p in hops])
    )
    write_config(
        tmp_path,
        f"g:\n  s:\n    f: {{url: http://127.0.0.1:{port}/feed.xml, fulltext: true}}\n",
        extra=SELECT_ALL + "fetch: {page_allow: [127.0.0.1/32]}\n",  # the first hop is allowed
        output=OUTPUTS,
    )

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "/admin" not in [r.path for r, _ in httpserver.log]
    assert SECRET not in published_text(tmp_path)
    assert len(posts_in(tmp_path)) == len(hops)
