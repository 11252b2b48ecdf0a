"""Real Hexo judges our posts: the shared corpus S, both profiles, zero errors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import posts_in, run_cli, shared_dir, write_config
from corpus import corpus_item_count, feeds_yaml, serve_directory


def check_with_hexo(posts: Path, *, keep: bool = False) -> subprocess.CompletedProcess[str]:
    """Build ``posts`` with real Hexo; ``keep`` keeps the site and prints its folder."""
    script = shared_dir() / "hexo-check" / "check-posts.sh"
    return subprocess.run(
        ["bash", str(script), str(posts)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "QUIET": "1", "KEEP": "1" if keep else "0"},
    )


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["compat", "default"])
def test_corpus_s_posts_build_with_real_hexo(
    corpus_s: Path, tmp_path: Path, profile: str, state: str
) -> None:
    with serve_directory(corpus_s) as base_url:
        write_config(tmp_path, feeds_yaml(corpus_s, base_url), profile=profile, state=state)
        result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = corpus_item_count(corpus_s)
    assert len(posts_in(tmp_path)) == expected

    hexo = check_with_hexo(tmp_path / "posts")

    last_line = hexo.stdout.strip().splitlines()[-1]
    assert hexo.returncode == 0, hexo.stdout[-5000:] + hexo.stderr[-2000:]
    assert last_line == f"hexo: {expected} posts in, {expected} pages out, 0 errors"
