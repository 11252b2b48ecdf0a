"""The acceptance test of the core issue: the reference post, byte for byte, over HTTP."""

from __future__ import annotations

from pathlib import Path

from pytest_httpserver import HTTPServer

from conftest import DATA, posts_in, run_cli, write_config

SEED_POST = DATA / "seed" / "000_ed18613644cbb165.txt"
SEED_FEED = DATA / "seed" / "zaker-channel-13.xml"


def serve_seed(httpserver: HTTPServer) -> str:
    httpserver.expect_request("/zaker/channel/13").respond_with_data(
        SEED_FEED.read_bytes(), content_type="application/xml; charset=utf-8"
    )
    return httpserver.url_for("/zaker/channel/13")


def test_compat_post_is_byte_identical_to_the_reference(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    url = serve_seed(httpserver)
    feeds = f"新媒体:\n  ZAKER:\n    channel: {url}\n"
    write_config(tmp_path, feeds, profile="compat", state=state)

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    posts = posts_in(tmp_path)
    assert len(posts) == 1
    assert posts[0].read_bytes() == SEED_POST.read_bytes()
    assert "1 posts written" in result.stdout


def test_rsshub_route_resolves_against_the_configured_base(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    serve_seed(httpserver)
    config = write_config(
        tmp_path,
        "新媒体:\n  ZAKER:\n    channel: rsshub:/zaker/channel/13\n",
        profile="compat",
        state=state,
    )
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "rsshub: https://rsshub.app", f"rsshub: {httpserver.url_for('/').rstrip('/')}"
        ),
        encoding="utf-8",
    )

    result = run_cli("run", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert [p.read_bytes() for p in posts_in(tmp_path)] == [SEED_POST.read_bytes()]


def test_second_run_writes_nothing_and_a_deleted_post_stays_deleted(
    httpserver: HTTPServer, tmp_path: Path, state: str
) -> None:
    url = serve_seed(httpserver)
    feeds = f"新媒体:\n  ZAKER:\n    channel: {url}\n"
    write_config(tmp_path, feeds, profile="compat", state=state)
    assert run_cli("run", cwd=tmp_path).returncode == 0
    (post,) = posts_in(tmp_path)
    post.unlink()

    again = run_cli("run", "--force", cwd=tmp_path)

    assert again.returncode == 0, again.stderr
    assert "0 posts written" in again.stdout
    assert posts_in(tmp_path) == []
