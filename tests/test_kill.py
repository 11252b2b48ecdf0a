"""SIGKILL at random moments never leaves a partial post, a temp file or a duplicate."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import posts_in, run_cli, state_for, state_location, write_config
from corpus import corpus_item_count, feeds_yaml, serve_directory
from rsspress.publish.hexo import post_filename
from rsspress.store import Store

KILLS = 10


def children_of(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task may have ended meanwhile
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def is_running(pid: int) -> bool:
    """Alive and not a zombie (a zombie holds no memory, files or locks)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def recorded_items(location: Path | str) -> int:
    """Items the state has recorded (read beside the running process)."""
    with Store(location) as store:
        return int(store.db.execute("SELECT COUNT(*) FROM items").fetchone()[0])


def written_since(directory: Path, since: float) -> int:
    """Posts this run wrote: a rewrite of a post a killed run left replaces its file."""
    count = 0
    for post in posts_in(directory):
        with contextlib.suppress(FileNotFoundError):
            count += post.stat().st_mtime >= since
    return count


def start_run(cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rsspress", "run"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_sigkill_during_runs_loses_nothing_and_duplicates_nothing(
    corpus_s: Path, tmp_path: Path, state: str
) -> None:
    seed = int(os.environ.get("RSSPRESS_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    killed_dir, clean_dir = tmp_path / "killed", tmp_path / "clean"
    killed_state = state_location(killed_dir, state)
    shared = isinstance(killed_state, str)  # PostgreSQL: leases, no lock
    # The undisturbed run has a state of its own, on the same backend.
    with (
        state_for("postgresql" if shared else "sqlite") as clean_state,
        serve_directory(corpus_s) as base_url,
    ):
        feeds = feeds_yaml(corpus_s, base_url)
        write_config(killed_dir, feeds, state=state)
        write_config(clean_dir, feeds, state=clean_state)

        # How long an undisturbed run takes, to aim the kills inside it.
        started = time.monotonic()
        assert run_cli("run", cwd=clean_dir).returncode == 0
        duration = time.monotonic() - started

        expected = corpus_item_count(corpus_s)
        kills_mid_run = 0
        orphans: set[int] = set()
        for n in range(KILLS):
            started = time.time() - 0.02  # file times are a little coarser than the clock
            process = start_run(killed_dir)
            if n < 2:
                # early: during start-up, fetching and the first builds
                time.sleep(rng.uniform(0.1, max(0.2, duration / 3)))
            else:
                # at a random point of progress while posts are being written; each
                # target takes at most a quarter of what is left, so the eighth run still
                # has about a tenth of the corpus to write. (With half, the last runs had a
                # handful of posts left and could end between two looks at the folder: a
                # kill that lands after the run, seen in CI under load.)
                # Progress counts the posts this run wrote, rewrites of a killed run's
                # unrecorded posts included (counting files alone would miss those).
                left = expected - recorded_items(killed_state)
                target = rng.randint(1, max(1, left // 4))
                while process.poll() is None and written_since(killed_dir, started) < target:
                    time.sleep(0.002)
            if process.poll() is None:
                kills_mid_run += 1
            orphans |= children_of(process.pid)
            process.send_signal(signal.SIGKILL)
            process.wait()
            # On PostgreSQL the next run frees the killed run's leases at once (its
            # process is gone), not after daemon.lease (10 minutes): nothing waits here.
        deadline = time.monotonic() + 10
        while any(is_running(p) for p in orphans) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in orphans if is_running(p)], "workers must die with their run"

        # --force: a killed run may have recorded a feed's error (a reset connection
        # on a loaded machine), and the backoff would then rightly skip it.
        final = run_cli("run", "--force", cwd=killed_dir)

    assert final.returncode == 0, f"seed {seed}: {final.stdout}{final.stderr}"
    assert kills_mid_run >= KILLS - 1, f"seed {seed}: kills must land mid-run"
    killed_posts = posts_in(killed_dir)
    assert len(killed_posts) == expected, f"seed {seed}"
    leftovers = [p.name for p in (killed_dir / "posts").iterdir() if not p.name.endswith(".md")]
    assert leftovers == [], f"seed {seed}: temporary files left behind"
    # Every post is whole: the same bytes an undisturbed run wrote.
    clean_posts = {p.name: p.read_bytes() for p in posts_in(clean_dir)}
    assert {p.name: p.read_bytes() for p in killed_posts} == clean_posts, f"seed {seed}"
    # The state knows each item once, each known item has its post, no feed is held.
    with Store(killed_state) as store:
        rows = store.db.execute("SELECT post_id, state FROM items").fetchall()
        filenames = [post_filename(post_id) for post_id, _ in rows]
        assert {state for _, state in rows} <= {"published"}, f"seed {seed}: an item not published"
        held = store.db.execute("SELECT COUNT(*) FROM feeds WHERE lease_owner IS NOT NULL")
        assert held.fetchone()[0] == 0, f"seed {seed}: leases left behind"
        if not shared:
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(filenames) == sorted(clean_posts)
