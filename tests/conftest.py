"""Shared test fixtures: real CLI runs, real HTTP servers on 127.0.0.1, real files."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from strict_skips import pytest_runtest_makereport  # noqa: F401  (the hook: CI allows no skip)

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def run_cli(
    *args: str,
    cwd: Path,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    """Run the real `rsspress` command line in a child process."""
    env = {**(os.environ if env is None else env), "NO_COLOR": "1", "COLUMNS": "200"}
    result: subprocess.CompletedProcess[str] = subprocess.run(
        [sys.executable, "-m", "rsspress", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,  # type: ignore[call-overload]
    )
    return result


# The tests that touch state run on both backends: an SQLite file beside the
# config, and a fresh schema of the PostgreSQL database this variable names.
POSTGRES_ENV = "RSSPRESS_TEST_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


@contextmanager
def state_for(backend: str) -> Iterator[str]:
    """The ``state:`` of a test's config on ``backend``; a PostgreSQL schema is dropped after."""
    if backend == "sqlite":
        yield "state.db"
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: set it to a PostgreSQL URL "
            "(e.g. postgresql://127.0.0.1:5432/test) to run this test on PostgreSQL too"
        )
    import psycopg

    schema = f"rsspress_test_{secrets.token_hex(6)}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as db:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def state(request: pytest.FixtureRequest) -> Iterator[str]:
    """``state:`` for a test's config: an SQLite file, then a PostgreSQL schema."""
    with state_for(request.param) as value:
        yield value


@pytest.fixture(scope="module", params=BACKENDS)
def module_state(request: pytest.FixtureRequest) -> Iterator[str]:
    """:func:`state` for fixtures that build once per module (corpus runs)."""
    with state_for(request.param) as value:
        yield value


def state_location(directory: Path, state: str) -> Path | str:
    """What ``Store()`` opens for a config in ``directory`` whose ``state:`` is ``state``."""
    return state if state.startswith("postgresql://") else directory / state


def write_config(
    directory: Path,
    feeds_yaml: str,
    *,
    profile: str = "default",
    extra: str = "",
    state: str = "state.db",
    output: str | None = None,
) -> Path:
    """A config in `directory` with the reference's image settings and the given feeds tree.

    ``output`` replaces the one Hexo output (a YAML value: a mapping or a list of them).
    """
    output = output or f"{{dir: posts, format: hexo, profile: {profile}}}"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "rsspress.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            output: {output}
            state: "{state}"
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
    """Corpus S (100 feeds × 20 items, tests/generate_corpus.py), made once per test session."""
    from generate_corpus import make_corpus

    return make_corpus(tmp_path_factory.mktemp("corpus") / "S", feeds=100, items=20)


def start_daemon(cwd: Path, log: Path | None = None) -> subprocess.Popen[str]:
    """`rsspress daemon` running in ``cwd``: its output piped (``communicate`` reads it), or
    written to ``log``."""
    out = open(log, "w", encoding="utf-8") if log is not None else None  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "rsspress", "daemon"],
        cwd=cwd,
        stdout=out or subprocess.PIPE,
        stderr=subprocess.STDOUT if out else subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )


def wait_for(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Wait until ``check()`` holds; fail saying ``what`` did not happen in ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
