"""The files of a scaffold: rendering the templates (each value quoted for its file), writing them.

The templates are package data (``scaffold/templates``), rendered with Jinja2
under delimiters (``[[ ]]``, ``[% %]``) that leave GitHub's ``${{ }}`` and the
shell's ``$x`` alone. Every value that reaches a template goes through a filter
that quotes it for the file it lands in.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from rsspress import __version__
from rsspress.atomic import write_atomic
from rsspress.config import Config

TEMPLATES = Path(__file__).parent / "templates"


class ScaffoldError(Exception):
    """What was asked for cannot be written; the message says why and what to do."""


@dataclass(frozen=True)
class Scaffold:
    """Files to write (path → text) and what the user should know or do next."""

    files: dict[Path, str]
    notes: list[str] = field(default_factory=list)


def write_scaffold(scaffold: Scaffold, *, force: bool = False) -> list[Path]:
    """Write every file (atomically), refusing to overwrite any unless ``force``."""
    existing = [path for path in scaffold.files if path.exists()]
    if existing and not force:
        names = ", ".join(str(path) for path in existing)
        raise ScaffoldError(f"{names} exists; use --force to overwrite it")
    for path, text in scaffold.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return list(scaffold.files)


def render(template: str, **values: object) -> str:
    return _environment().get_template(template).render(version=__version__, **values)


def no_control_characters(value: str, what: str) -> str:
    """A value bound for a config file line: a newline in it would start a new line."""
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise ScaffoldError(f"{what} {value!r} holds a control character (a newline?)")
    return value


def yaml_string(value: object) -> str:
    """A YAML double-quoted scalar: JSON's string syntax is a subset of YAML's."""
    return json.dumps(str(value), ensure_ascii=False)


def unit_value(value: object) -> str:
    """A systemd setting's value taken as it is (WorkingDirectory=, User=): % escaped."""
    return no_control_characters(str(value), "a systemd setting").replace("%", "%%")


def unit_word(value: object) -> str:
    """One word of ExecStart=: quoted when needed, with %, $ and backslashes escaped."""
    text = no_control_characters(str(value), "a command word")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    plain = escaped == text and text and not any(c in text for c in " '\t;")
    return text if plain else f'"{escaped}"'


def unit_path(value: object) -> str:
    """One path of ReadWritePaths=: quoted (the list is split at spaces), % escaped."""
    text = no_control_characters(str(value), "a path")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"' if any(c in text for c in " '\"\\") else escaped


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # YAML and unit files: each value goes through its own filter
    )
    env.filters.update(
        yaml=yaml_string, unit_value=unit_value, unit_word=unit_word, unit_path=unit_path
    )
    return env


def deployment(
    config: Config,
    github_actions: bool,
    systemd_dir: Path | None,
    *,
    package: str,
    cron: str,
    force: bool,
) -> Iterator[str]:
    """Write what `rsspress init --github-actions / --systemd` asks for; say what was done.

    The workflow goes to the top of the git repository that holds the config.
    """
    from rsspress.scaffold.github import github_workflow, repository_root
    from rsspress.scaffold.systemd import systemd_units

    scaffolds = []
    if github_actions:
        root = repository_root(config.path.resolve().parent)
        scaffolds.append(github_workflow(config, root, package=package, cron=cron))
    if systemd_dir is not None:
        scaffolds.append(systemd_units(config, systemd_dir))
    for scaffold in scaffolds:
        for written in write_scaffold(scaffold, force=force):
            yield f"wrote {written}"
        for note in scaffold.notes:
            yield f"note: {note}"
