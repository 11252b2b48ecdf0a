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
from collections.abc import Callable
from typing import TypeVar

_T = TypeVar("_T")


class WorkerPool(concurrent.futures.Executor):
    """Worker processes for CPU-heavy pure functions, all started at the first job.

    A run of 304s builds nothing and starts none. "spawn" rather than "fork": the
    workers inherit neither the run lock, nor the SQLite connection, nor the event
    loop's threads. They are direct children of this process and die with it (see
    :func:`_worker_init`). Each runs ``warm_up`` first: a function of the module whose
    work it will do, so that it imports that module while other feeds are fetched.
    """

    def __init__(self, workers: int, warm_up: Callable[[], object]) -> None:
        self.workers = workers
        self.warm_up = warm_up
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def submit(
        self, fn: Callable[..., _T], /, *args: object, **kwargs: object
    ) -> concurrent.futures.Future[_T]:
        if self._pool is None:
            self._pool = self._start()
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait, cancel_futures=cancel_futures)

    def _start(self) -> concurrent.futures.ProcessPoolExecutor:
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )
        # Ctrl-C reaches the whole foreground process group, workers too: one still
        # importing would die of it with a traceback before _worker_init could ignore
        # it. Started while SIGINT is ignored, a worker ignores it from its first
        # instruction (Python keeps an ignored SIGINT ignored); each submit starts a
        # worker, none being idle yet. Only the main thread may change a handler.
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if in_main_thread else None
        try:
            for _ in range(self.workers):
                pool.submit(self.warm_up)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        return pool


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
