"""Where the state lives: an SQLite file (the default) or a PostgreSQL database.

The store writes its SQL once, in the dialect both understand, with ``?``
placeholders; a backend adapts the little that differs: placeholders, column
types in migrations, how the schema version is kept, transactions, and row
locking for leases (PostgreSQL's ``FOR UPDATE SKIP LOCKED``; SQLite has one
writer at a time, so ``BEGIN IMMEDIATE`` is enough).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import re
import sqlite3
import stat
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from rsspress.config import is_postgres
from rsspress.urls import redact_text, redact_url, url_secrets


class StateError(Exception):
    """The state cannot be opened: a missing driver, a refused connection, a newer schema."""


class StoreLocked(StateError):
    """Another rsspress process holds the state."""


class Rows(Protocol):
    """What a query gives back (an sqlite3 or psycopg cursor)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Backend(Protocol):
    location: str  # for messages: the file, or the URL with its secrets masked
    shared: bool  # several processes may work on this state at once
    lock_rows: str  # appended to a SELECT that claims rows

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def migration(self) -> AbstractContextManager[None]: ...

    def schema_version(self) -> int: ...

    def set_schema_version(self, version: int) -> None: ...

    def ddl(self, statement: str) -> str: ...

    def lock(self) -> None: ...

    def unlock(self) -> None: ...

    def close(self) -> None: ...


def open_backend(state: Path | str) -> Backend:
    if is_postgres(state):
        return PostgresBackend(str(state))
    return SqliteBackend(Path(state))


def select_in(db: Backend, sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sql`` whose ``IN ({marks})`` takes ``values``, 500 at a time
    (SQLite limits the number of parameters of one statement)."""
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        yield from db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)


class SqliteBackend:
    shared = False
    lock_rows = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
        try:
            _make_private(path)
            self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"cannot open the state {path}: {exc}") from None
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        # Checkpoint every 64 MiB of WAL instead of 4 MiB: a cold run of
        # thousands of items otherwise spends most of its database time there.
        self.db.execute("PRAGMA wal_autocheckpoint=16384")
        self._lock: IO[str] | None = None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        return self.db.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        return self.db.executemany(sql, rows).rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    migration = transaction  # one writer at a time already

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, version: int) -> None:
        self.db.execute(f"PRAGMA user_version = {int(version)}")

    def ddl(self, statement: str) -> str:
        return statement

    def lock(self) -> None:
        """Hold the file for this process until close(): a second run fails at once.

        Two runs on one file would race to publish the same items and could
        remove each other's temporary files.
        """
        descriptor = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT | os.O_APPEND, PRIVATE)
        handle = open(descriptor, "a+")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StoreLocked(
                f"another rsspress process is working on {self.path}; wait for it to finish"
            ) from None
        self._lock = handle

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def close(self) -> None:
        self.db.close()
        self.unlock()


# The state holds the feeds' URLs with their passwords and keys: its files are the
# owner's alone. SQLite gives the -wal and -shm files it creates the database file's mode.
PRIVATE = 0o600
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _make_private(path: Path) -> None:
    """Create the state file readable by its owner only; tighten one made before (0644)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE))
    for file in (path, *(path.with_name(path.name + side) for side in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(file.stat().st_mode)
            if mode & 0o077:
                file.chmod(mode & 0o700)


class PostgresBackend:
    """One connection (autocommit; explicit transactions) to a shared database."""

    shared = True
    lock_rows = " FOR UPDATE SKIP LOCKED"
    # Any constant will do: it only has to be the same for every rsspress.
    MIGRATION_LOCK = 0x72737370  # "rssp"

    def __init__(self, url: str) -> None:
        self.location = redact_url(url)
        try:
            import psycopg
        except ImportError:
            raise StateError(
                f"state: {self.location} needs the PostgreSQL driver; "
                "install it with: pip install 'rsspress[postgresql]'"
            ) from None
        try:
            self.db = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            # libpq quotes the URL, or the piece of it it could not read (a password, too).
            reason = redact_text(reason)
            for secret in url_secrets(url):
                reason = reason.replace(secret, "***")
            raise StateError(
                f"cannot connect to the state {self.location}: {reason}; "
                "check that PostgreSQL runs and the URL is right"
            ) from None

        # Item bodies are large: lz4 compresses them for a fraction of pglz's CPU
        # (corpus L with one worker: 39.5 s → 36.6 s). Servers built without lz4 keep pglz.
        with contextlib.suppress(psycopg.Error):
            self.db.execute("SET default_toast_compression = lz4")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        return self.db.execute(_pyformat(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        with self.db.cursor() as cursor:
            cursor.executemany(_pyformat(sql), rows)
            return cursor.rowcount

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.transaction():
            yield

    @contextmanager
    def migration(self) -> Iterator[None]:
        """A transaction that only one process at a time runs (DDL is transactional here)."""
        with self.db.transaction():
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (self.MIGRATION_LOCK,))
            self.db.execute("CREATE TABLE IF NOT EXISTS rsspress_schema (version INTEGER NOT NULL)")
            yield

    def schema_version(self) -> int:
        if self.db.execute("SELECT to_regclass('rsspress_schema')").fetchone() == (None,):
            return 0  # a new database
        row = self.db.execute("SELECT version FROM rsspress_schema").fetchone()
        return 0 if row is None else int(row[0])

    def set_schema_version(self, version: int) -> None:
        self.db.execute("DELETE FROM rsspress_schema")
        self.db.execute("INSERT INTO rsspress_schema (version) VALUES (%s)", (version,))

    def ddl(self, statement: str) -> str:
        return _postgres_ddl(statement)

    def lock(self) -> None:
        """Nothing to hold: workers share the database and claim feeds with leases."""

    def unlock(self) -> None:
        """Nothing held."""

    def close(self) -> None:
        self.db.close()


@functools.lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


_DDL_TYPES = (
    # SQLite's rowid alias: an id the database assigns.
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    # SQLite's REAL is 8 bytes; PostgreSQL's is 4 (timestamps would lose minutes).
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
)


def _postgres_ddl(statement: str) -> str:
    for pattern, replacement in _DDL_TYPES:
        statement = pattern.sub(replacement, statement)
    return statement
