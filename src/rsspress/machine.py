"""Who this process is: how leases and temporary files name their owner, and whether
an owner on this machine has ended."""

from __future__ import annotations

import os
import socket

# How this machine names itself in leases and temporary files, so that another
# process here can tell whether their owner is gone.
HOST = socket.gethostname()


def local_process_gone(host: str, pid: int) -> bool:
    """Whether process ``pid`` of ``host`` has certainly ended (only this host's can be told)."""
    if host != HOST or pid == os.getpid():
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            # A zombie has ended too; an orphan stays one until init reaps it,
            # which some containers' init never does.
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False
