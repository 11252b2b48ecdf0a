"""Real Hexo judges our posts: corpus S, both profiles, zero errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import posts_in, run_cli, write_config
from corpus import corpus_item_count, feeds_yaml, serve_directory
from externals import node_for_hexo
from hexo_check import check_with_hexo


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["compat", "default"])
def test_corpus_s_posts_build_with_real_hexo(
    corpus_s: Path, tmp_path: Path, profile: str, state: str
) -> None:
    node_for_hexo()  # before the run: a skip should cost nothing
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
