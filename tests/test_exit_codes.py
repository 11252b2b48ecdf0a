"""`rsspress run` says how it went in its exit code, for cron, systemd and CI alike.

0 all well; 1 some feeds failed now or are still failing (backing off); 3 every feed
is failing; the failing ones are named, whether they failed now or are backing off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli, write_config
from feeds import rss
from rsspress.exits import (
    EXIT_ALL_FAILED,
    EXIT_FEEDS_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    run_exit_code,
)


@pytest.mark.parametrize(
    ("total", "fine", "failed", "still_failing", "interrupted", "code"),
    [
        (3, 3, 0, 0, False, EXIT_OK),
        (3, 2, 1, 0, False, EXIT_FEEDS_FAILED),
        (3, 2, 0, 1, False, EXIT_FEEDS_FAILED),  # backing off is still failing
        (3, 0, 3, 0, False, EXIT_ALL_FAILED),
        (3, 0, 1, 2, False, EXIT_ALL_FAILED),  # failed now or still: none works
        (3, 0, 1, 0, False, EXIT_FEEDS_FAILED),  # the other two wait for their host
        (3, 0, 0, 0, False, EXIT_OK),  # nothing due, nothing failing
        (3, 1, 2, 0, True, EXIT_INTERRUPTED),
    ],
)
def test_exit_codes(
    total: int, fine: int, failed: int, still_failing: int, interrupted: bool, code: int
) -> None:
    assert (
        run_exit_code(
            total=total,
            fine=fine,
            failed=failed,
            still_failing=still_failing,
            interrupted=interrupted,
        )
        == code
    )


def test_a_feed_backing_off_keeps_the_run_from_exiting_0(tmp_path: Path, state: str) -> None:
    (tmp_path / "ok.xml").write_bytes(rss("ok", 2))
    write_config(tmp_path, "g:\n  s:\n    good: ok.xml\n    gone: missing.xml\n", state=state)
    first = run_cli("run", cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    assert "failed: g / s / gone" in first.stderr

    # The next run leaves the failing feed alone (backoff): it is still failing, and says so.
    second = run_cli("run", cwd=tmp_path)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "1 backing off" in second.stdout
    line = next(x for x in second.stderr.splitlines() if x.startswith("still failing:"))
    assert "g / s / gone" in line and "missing.xml" in line and "next try in" in line
    assert "rsspress run --force" in second.stderr

    # Fixed and forced: all well again.
    (tmp_path / "missing.xml").write_bytes(rss("back", 1))
    third = run_cli("run", "--force", cwd=tmp_path)
    assert third.returncode == 0, third.stderr
    assert "still failing" not in third.stderr


def test_every_feed_failing_exits_3_now_and_while_backing_off(tmp_path: Path, state: str) -> None:
    # What an RSSHub behind a broken proxy serves: an HTML error page, not a feed.
    (tmp_path / "a.xml").write_bytes(b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    write_config(tmp_path, "g:\n  s:\n    a: a.xml\n    b: nothing-here.xml\n", state=state)
    first = run_cli("run", cwd=tmp_path)
    assert first.returncode == 3, first.stdout + first.stderr
    assert "0 fetched, 0 not modified, 2 failed" in first.stdout

    second = run_cli("run", cwd=tmp_path)  # both back off: nothing is fetched, none works
    assert second.returncode == 3, second.stdout + second.stderr
    assert second.stderr.count("still failing:") == 2


def test_run_ends_with_how_to_look_at_the_site(tmp_path: Path) -> None:
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "ok.xml").write_bytes(rss("ok", 1))
    write_config(tmp_path / "news", "g:\n  s:\n    f: ok.xml\n",
                 output="[{dir: posts, format: hexo}, {dir: site, format: html}]")  # fmt: skip
    result = run_cli("run", "-c", "news/rsspress.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == (
        "look at the site: rsspress serve -c news/rsspress.yaml"
    )
    quiet = run_cli("run", "-q", "-c", "news/rsspress.yaml", cwd=tmp_path)
    assert "rsspress serve" not in quiet.stdout


def test_no_site_no_serve_hint(tmp_path: Path) -> None:
    (tmp_path / "ok.xml").write_bytes(rss("ok", 1))
    write_config(tmp_path, "g:\n  s:\n    f: ok.xml\n")
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 0 and "rsspress serve" not in result.stdout
