"""The site's one writer: the planned files whose inputs changed, written atomically, and
the files of items or pages that are gone, removed; then the manifest of input keys."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rsspress.atomic import write_atomic
from rsspress.publish.site.entries import Entry

MANIFEST = ".rsspress-site.json"


@dataclass(frozen=True)
class SiteReport:
    pages: int  # pages and files the site has
    written: int  # written now (new or changed)
    unchanged: int  # rendered, but the file on disk was the same
    removed: int  # files of items or pages that are gone
    seconds: float = 0.0  # build_site times the whole build


@dataclass(frozen=True)
class PlannedFile:
    key: str  # digest of its inputs: the same key, the same bytes
    make: Callable[[], bytes]
    needs: tuple[Entry, ...] = ()  # items whose bodies it shows


@dataclass
class Plan:
    """Every file of the site: its path, input key and how to make its bytes."""

    files: dict[str, PlannedFile] = field(default_factory=dict)

    def add(
        self, path: str, key: str, make: Callable[[], bytes], needs: tuple[Entry, ...] = ()
    ) -> None:
        self.files[path] = PlannedFile(key, make, needs)


def write_plan(directory: Path, plan: Plan, preload: Callable[[list[Entry]], None]) -> SiteReport:
    """Write what changed, remove what is gone, then record the new manifest.

    A file whose input key is the manifest's and which exists is not even
    rendered. A killed build leaves the old manifest: the next build renders
    the files it had not recorded, finds the ones already written equal, and
    goes on.
    """
    manifest_path = directory / MANIFEST
    try:
        old: dict[str, str] = json.loads(manifest_path.read_text("utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        old = {}
    written = unchanged = removed = 0
    made_dirs: set[Path] = set()
    existing = _files_under(directory)
    todo = [
        (path, planned)
        for path, planned in plan.files.items()
        if old.get(path) != planned.key or path not in existing
    ]
    preload([entry for _, planned in todo for entry in planned.needs])
    for path, planned in todo:
        target = directory / path
        data = planned.make()
        try:
            if target.read_bytes() == data:
                unchanged += 1
                continue
        except FileNotFoundError:
            pass
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        write_atomic(target, data)
        written += 1
    for path in old.keys() - plan.files.keys():
        target = directory / path
        if target.is_file():
            target.unlink()
            removed += 1
            _remove_empty_parents(target.parent, directory)
    manifest = {"version": 1, "files": {path: p.key for path, p in plan.files.items()}}
    write_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False))
    return SiteReport(len(plan.files), written, unchanged, removed)


def _files_under(directory: Path) -> set[str]:
    """Every file below ``directory``, as a relative POSIX path (one scandir per folder)."""
    found: set[str] = set()
    root = str(directory)
    for folder, _, names in os.walk(root):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/") + "/"
        prefix = "" if prefix == "./" else prefix
        found.update(prefix + name for name in names)
    return found


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
