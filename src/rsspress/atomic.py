"""The one way rsspress replaces a file: readers see the old file or the new one, never half.

Posts, the HTML site, the config an OPML import extends and the proxy's image
cache all write through :func:`write_atomic`; a killed writer leaves only a
temporary file that :func:`remove_stale_temp_files` knows by its name.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from rsspress.machine import HOST, local_process_gone

TEMP_SUFFIX = ".rsspress-tmp"


def write_atomic(path: Path, text: str | bytes, *, mode: int | None = None) -> None:
    """Write a file so that readers see the old file or the new one, never half of one.

    The temporary name starts with a dot and does not end in ``.md``, so
    neither Hexo nor a glob for posts ever picks it up; a process killed
    mid-write leaves only such a file, which :func:`remove_stale_temp_files`
    clears at the start of the next run. The name holds this host and process,
    so that a cleaner can tell a live writer's file from a leftover.

    ``mode``: the new file's permissions, exactly (the umask does not apply);
    the file is its owner's alone until they are set, so a private file
    (the config, the proxy's cache) is never readable by others, even
    half-written. Without it the file is created as ``open()`` creates one.
    """
    tmp = path.with_name(f".{path.name}~{HOST}~{os.getpid()}~{secrets.token_hex(4)}{TEMP_SUFFIX}")
    try:
        created = 0o666 if mode is None else 0o600  # the umask applies to 0o666, as in open()
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, created), "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            handle.write(text if isinstance(text, bytes) else text.encode("utf-8"))
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
