"""Publish items: renderers per output format, and the one writer they share."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from rsspress.machine import HOST, local_process_gone

TEMP_SUFFIX = ".rsspress-tmp"


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a file so that readers see the old file or the new one, never half of one.

    The temporary name starts with a dot and does not end in ``.md``, so
    neither Hexo nor a glob for posts ever picks it up; a process killed
    mid-write leaves only such a file, which :func:`remove_stale_temp_files`
    clears at the start of the next run.
    """
    tmp = path.with_name(f".{path.name}~{HOST}~{os.getpid()}~{secrets.token_hex(4)}{TEMP_SUFFIX}")
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


def remove_stale_temp_files(directory: Path, older_than: float | None = None) -> int:
    """Delete temporary files a killed run left behind.

    Without ``older_than`` (seconds), call only under the run lock: every
    temporary file is a leftover. With it, other live processes may be
    writing here, and only files that old, or whose writer on this machine
    has ended, are removed.
    """
    removed = 0
    if directory.is_dir():
        cutoff = None if older_than is None else time.time() - older_than
        for leftover in directory.glob(f".*{TEMP_SUFFIX}"):
            try:
                if (
                    cutoff is not None
                    and not _writer_gone(leftover.name)
                    and leftover.stat().st_mtime > cutoff
                ):
                    continue
                leftover.unlink()
            except FileNotFoundError:
                continue
            removed += 1
    return removed


def _writer_gone(temp_name: str) -> bool:
    parts = temp_name.rsplit("~", 3)
    return len(parts) == 4 and parts[2].isdigit() and local_process_gone(parts[1], int(parts[2]))
