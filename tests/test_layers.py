"""The imports form layers (model at the bottom, the CLI at the top): import-linter judges.

The contract is ``[tool.importlinter]`` in pyproject.toml; its report names every import
that reaches up a layer, with the line it is on.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_imports_keep_to_their_layers() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.exists(), "pip install -e '.[test]' installs import-linter"
    result = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_readme_layout_names_every_module() -> None:
    """The README's layout section shows one line per module: a new module takes its line."""
    readme = (REPO / "README.md").read_text("utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    tree = layout.split("```", 2)[1]
    named: set[str] = set()
    folder: list[str] = []
    for line in tree.splitlines():
        match = re.match(r"^([│├└─ ]*)([\w./]+\.py|[\w]+/)(?:\s|$)", line)
        if match is None or line.lstrip().startswith("──"):
            continue
        depth = len(match.group(1)) // 4
        name = match.group(2)
        folder = folder[: max(depth - 1, 0)]
        if name.endswith("/"):
            folder.append(name)
        else:
            named.add("".join(folder) + name)
    source = REPO / "src" / "rsspress"
    modules = {
        str(path.relative_to(source)) for path in source.rglob("*.py") if path.name != "__init__.py"
    }
    assert modules - named == set(), "modules the README's layout leaves out"
    assert named - modules == set(), "the README's layout names modules that are gone"
