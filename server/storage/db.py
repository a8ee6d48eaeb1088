"""The database handle: engine, sessions, and transactions that serialise writers correctly.

SQLite: WAL, and every writing transaction starts with BEGIN IMMEDIATE so that two writers
never both read and then both write (the counter and call-next stay atomic). PostgreSQL:
every writing transaction first bumps the hall's `seq` row, which locks it until commit.

The SQLite file, its -wal and -shm are the owner's alone (0600): they hold every ticket,
leave reason and password hash. A database that cannot take writes (disk full, read-only,
I/O error, server gone) raises `StorageUnavailable`, which the web layer answers with 503;
the transaction is rolled back, so nothing is half-done.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

#: how long a new connection to PostgreSQL may take: a server that does not answer (a host
#: gone from the network) fails the request with 503 after this, instead of after the
#: operating system's TCP timeout of minutes
CONNECT_TIMEOUT_S = 5
#: the mode of the SQLite database and its -wal, -shm and -journal files
PRIVATE_FILE_MODE = 0o600


class StorageUnavailable(Exception):
    """The database cannot do what was asked: `reason` is "full", "read_only" or "unavailable"."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


# SQLite's primary result codes (the low byte of the extended code)
_SQLITE_REASONS = {13: "full", 8: "read_only", 10: "unavailable", 14: "unavailable", 11: "unavailable"}


def storage_failure(err: BaseException) -> StorageUnavailable | None:
    """The `StorageUnavailable` a driver error means, or None for other errors (a constraint,
    a bug in a query, a lock timeout): those stay what they are."""
    orig = err.orig if isinstance(err, DBAPIError) else err
    if isinstance(orig, sqlite3.Error):
        code = getattr(orig, "sqlite_errorcode", None)
        reason = _SQLITE_REASONS.get(code & 0xFF) if isinstance(code, int) else None
        return StorageUnavailable(reason, str(orig)) if reason else None
    sqlstate = getattr(orig, "pgcode", None) or getattr(orig, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate == "25006":  # read_only_sql_transaction: a standby, or default_transaction_read_only
            return StorageUnavailable("read_only", str(orig).strip())
        if sqlstate.startswith("53"):  # insufficient resources: disk full, out of memory
            return StorageUnavailable("full", str(orig).strip())
        if sqlstate[:2] in ("08", "57", "58"):  # connection lost, server shutting down, I/O
            return StorageUnavailable("unavailable", str(orig).strip())
    if isinstance(err, DBAPIError) and err.connection_invalidated:  # the server went away
        return StorageUnavailable("unavailable", str(orig).strip())
    if isinstance(err, OperationalError) and sqlstate is None:
        # no SQLSTATE: the server never answered — a connection refused (stopped, restarting),
        # reset, or timed out while connecting; a query's own failures always carry one
        return StorageUnavailable("unavailable", str(orig).strip())
    return None


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url or "mode=memory" in url:
        return None
    name = url[len(prefix) :].split("?", 1)[0]
    return Path(name[len("file:") :] if name.startswith("file:") else name)


def make_private(path: Path) -> None:
    """The database file and its companions readable and writable by their owner only.

    SQLite creates -wal, -shm and -journal with the database file's own mode, so a private
    database file keeps them private too; files an older version left open are fixed here."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = path.with_name(path.name + suffix)
        try:
            mode = p.stat().st_mode
            if stat.S_IMODE(mode) & 0o077:
                p.chmod(PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue
        except PermissionError:  # another user's file (a read-only copy): nothing to tighten
            continue


def create_private(path: Path) -> None:
    """Create an empty database file with mode 0600 if there is none (an empty file is an
    empty SQLite database), so that it is never world-readable, not even for a moment."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except (FileExistsError, FileNotFoundError, PermissionError):  # exists, or no folder yet
        return
    os.close(fd)


def _sqlite_setup(engine: Engine, path: Path | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        if path is not None:
            make_private(path)  # before journal_mode=WAL creates -wal and -shm with its mode
        # We issue BEGIN ourselves (pysqlite's own handling defers it and breaks IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL survives a killed process; only an OS crash may lose the last commits.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "DEFERRED" if conn.get_execution_options().get("hallq_read_only") else "IMMEDIATE"
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url` with hallq's settings for its dialect."""
    if url.startswith("sqlite"):
        path = sqlite_file(url)
        if path is not None:
            create_private(path)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=10,
            max_overflow=20,
            **kwargs,
        )
        _sqlite_setup(engine, path)
        return engine
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if url.startswith("postgresql") else {}
    return create_engine(
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, connect_args=connect_args, **kwargs
    )


class Database:
    """Owns the engine; services open `transaction()` (writes) or `read()` (queries)."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._read_engine = self.engine.execution_options(hallq_read_only=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)
        self._write_lock = threading.RLock() if self.engine.dialect.name == "sqlite" else None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing transaction: commits on success, rolls back on any exception.

        On SQLite the writers of one process queue on a lock first: waiting there is cheap,
        while threads waiting in SQLite's busy handler sleep and retry (p99 2.2 s → 0.8 s
        under load, docs/performance.md). Other processes still meet SQLite's own lock.
        """
        try:
            if self._write_lock is None:
                with self._sessions() as session, session.begin():
                    yield session
                return
            with self._write_lock, self._sessions() as session, session.begin():
                yield session
        except DBAPIError as err:
            failure = storage_failure(err)
            if failure is None:
                raise
            raise failure from err
        except PoolTimeout as err:  # every connection busy for pool_timeout: as good as away
            raise StorageUnavailable("unavailable", str(err)) from err

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session that never takes the write lock."""
        try:
            with self._read_sessions() as session, session.begin():
                yield session
        except DBAPIError as err:
            failure = storage_failure(err)
            if failure is None:
                raise
            raise failure from err
        except PoolTimeout as err:
            raise StorageUnavailable("unavailable", str(err)) from err

    def ping(self) -> bool:
        with self.read() as s:
            return s.execute(text("SELECT 1")).scalar() == 1

    def check_writes(self) -> None:
        """Raise `StorageUnavailable` unless a write would succeed now.

        Creates a table in a transaction that is always rolled back: this takes the write
        lock and allocates a page, so a read-only database or one that cannot grow (a full
        disk, SQLite's max_page_count) fails here, and nothing is ever left behind."""
        lock: AbstractContextManager[Any] = self._write_lock or nullcontext()
        try:
            with lock, self.engine.connect() as conn, conn.begin() as tx:
                conn.exec_driver_sql("CREATE TABLE hallq_write_probe (x INTEGER)")
                conn.exec_driver_sql("INSERT INTO hallq_write_probe (x) VALUES (1)")
                tx.rollback()
        except DBAPIError as err:  # connecting included: a server that is not there
            raise storage_failure(err) or StorageUnavailable("unavailable", str(err.orig)) from err
        except PoolTimeout as err:
            raise StorageUnavailable("unavailable", str(err)) from err

    def free_bytes(self) -> int | None:
        """Free space for the SQLite file's folder (None for other databases)."""
        path = sqlite_file(self.url)
        if path is None:
            return None
        try:
            return shutil.disk_usage(path.parent).free
        except OSError:
            return None

    def dispose(self) -> None:
        self.engine.dispose()
