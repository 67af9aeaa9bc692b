"""Make the SQLite event log of a run the CLI executes cheap to write.

Dagster's SQLite event log builds a new SQLAlchemy engine and opens and closes a
connection for every event (and two or three for an asset or check event), and asks the
index whether the asset-check table exists before each check event. Closing the last
connection to a WAL database checkpoints it to disk and deletes the WAL file, so a sample
run of ~1,700 events paid thousands of checkpoints (10-25 ms per event write on this
machine's disk), and the engines and connections took about a third of the CLI process's
CPU in a demo run, on the core dbt needs. While held, each file the storage touches keeps
one engine and one connection (Dagster's own lock already lets one caller in at a time),
so a commit is only a commit, and a table once found is not looked up again. The Dagster
UI follows a live run by watching its `.db` file, which now changes only when the WAL is
copied back into it: `flush()` does that (a passive checkpoint), once per progress tick.

Each commit also waits for the disk (fsync). In WAL mode, `synchronous=NORMAL` skips that
wait and keeps the file consistent after any crash; an operating-system crash or power
cut may lose the last events of the run history (never the warehouse). With both, a
write took 0.2 ms. Only SQLite files of this instance, only while the run executes;
PostgreSQL storage is left alone."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool


class HeldEventLog:
    """`hold()` lets the instance's SQLite event log keep one connection per file (made
    when Dagster first touches the file, so the hold creates none) and makes new
    connections to the instance's SQLite files commit without fsync; `close()` undoes both
    (the last close folds the WAL back into the file, as Dagster's would)."""

    def __init__(self, instance: DagsterInstance) -> None:
        storage = instance.event_log_storage
        sqlite = isinstance(storage, SqliteEventLogStorage)
        self._storage = storage if sqlite else None
        self._home = Path(instance.root_directory).resolve() if sqlite else None
        self._engines: dict[str, Engine] = {}
        self._tables: set[str] = set()
        self._holding = False

    def _no_fsync_per_commit(self, connection, _record) -> None:
        """SQLAlchemy's connect hook: NORMAL sync on this instance's SQLite files."""
        if not isinstance(connection, sqlite3.Connection) or self._home is None:
            return
        files = [Path(row[2]) for row in connection.execute("pragma database_list") if row[2]]
        if any(self._home in f.resolve().parents for f in files):
            connection.execute("pragma synchronous=normal")

    @contextmanager
    def _kept_connection(self, shard: str) -> Iterator[Connection]:
        """SqliteEventLogStorage._connect (dagster 1.13), with one engine per file kept."""
        storage = self._storage
        with storage._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    storage.conn_string_for_shard(shard),
                    poolclass=StaticPool,  # one connection; the lock serialises its users
                    connect_args={
                        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                        "check_same_thread": False,
                    },
                )
                self._engines[shard] = engine
            if shard not in storage._initialized_dbs:
                storage._initdb(engine)
                storage._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _has_table(self, table_name: str) -> bool:
        if table_name not in self._tables and SqliteEventLogStorage.has_table(
            self._storage, table_name
        ):
            self._tables.add(table_name)
        return table_name in self._tables

    def hold(self) -> None:
        if self._storage is None or self._holding:
            return
        event.listen(Engine, "connect", self._no_fsync_per_commit)
        self._storage._connect = self._kept_connection
        self._storage.has_table = self._has_table
        self._holding = True

    def flush(self) -> None:
        """Copy what the WAL holds into the files, so watchers of a run see its events."""
        if not self._holding:
            return
        with self._storage._db_lock:
            for engine in self._engines.values():
                connection = engine.raw_connection()  # the kept one, outside a transaction
                try:
                    connection.execute("pragma wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    connection.close()  # back to the pool, still open

    def close(self) -> None:
        if not self._holding:
            return
        with self._storage._db_lock:
            del self._storage._connect, self._storage.has_table  # Dagster's own again
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        event.remove(Engine, "connect", self._no_fsync_per_commit)
        self._holding = False
