"""Shared test fixtures: real CLI runs, real HTTP servers on 127.0.0.1, real files."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def shared_dir() -> Path:
    """The team's shared folder (seed, bench workload, Hexo checker) beside the repo."""
    path = Path(os.environ.get("RSSPRESS_SHARED", REPO.parent / "shared"))
    if not (path / "bench" / "make_corpus.py").is_file():
        pytest.fail(f"shared folder not found at {path}; set RSSPRESS_SHARED")
    return path


def run_cli(
    *args: str,
    cwd: Path,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    """Run the real `rsspress` command line in a child process."""
    env = {**(os.environ if env is None else env), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "rsspress", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,  # type: ignore[call-overload]
    )


def write_config(
    directory: Path, feeds_yaml: str, *, profile: str = "default", extra: str = ""
) -> Path:
    """A config in `directory` with the reference's image settings and the given feeds tree."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "rsspress.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            output: {{dir: posts, format: hexo, profile: {profile}}}
            state: state.db
            images:
              proxy: "https://cors.zfour.workers.dev/?{{url}}"
              rewrite: http
              placeholder: "https://picsum.photos/400/300?random={{n}}"
            rsshub: https://rsshub.app
            """
        )
        + extra
        + "feeds:\n"
        + textwrap.indent(textwrap.dedent(feeds_yaml), "  "),
        encoding="utf-8",
    )
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for servers the tests start as processes)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def posts_in(directory: Path) -> list[Path]:
    return sorted((directory / "posts").glob("*.md"))


@pytest.fixture(scope="session")
def corpus_s(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared corpus S (100 feeds × 20 items), generated once per test session."""
    from corpus import make_corpus

    return make_corpus(tmp_path_factory.mktemp("corpus") / "S", feeds=100, items=20)
