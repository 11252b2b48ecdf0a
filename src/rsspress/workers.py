"""Worker processes that die with the process that started them."""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time


def start_worker_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """Worker processes for CPU-heavy pure functions; each starts on demand.

    "spawn" rather than "fork": the workers inherit neither the run lock, nor
    the SQLite connection, nor the event loop's threads. They are direct
    children of this process and die with it (see :func:`_worker_init`).
    """
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_init,
        initargs=(os.getpid(),),
    )


def _worker_init(parent_pid: int) -> None:
    """Make a worker end when the run that started it ends, even by SIGKILL.

    A pool worker holds both ends of its task pipe, so it would never notice
    on its own that its parent is gone.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    else:  # pragma: no cover - no prctl: watch the parent instead
        threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    # Ctrl-C reaches the whole process group; the parent decides how to stop
    # (the daemon finishes the work in hand), so a worker must not die of it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_PR_SET_PDEATHSIG = 1


def _exit_with_parent(parent_pid: int) -> None:  # pragma: no cover - non-Linux
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)
