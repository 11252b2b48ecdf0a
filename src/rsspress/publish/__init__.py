"""Publish items: renderers per output format, and the one writer they share."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TEMP_SUFFIX = ".rsspress-tmp"


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a file so that readers see the old file or the new one, never half of one.

    The temporary name starts with a dot and does not end in ``.md``, so
    neither Hexo nor a glob for posts ever picks it up; a process killed
    mid-write leaves only such a file, which :func:`remove_stale_temp_files`
    clears at the start of the next run.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    try:
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_stale_temp_files(directory: Path) -> int:
    """Delete temporary files a killed run left behind. Call only under the run lock."""
    removed = 0
    if directory.is_dir():
        for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed
