"""Make the SQLite event log of a run the CLI executes cheap to write.

Dagster's SQLite event log opens and closes a connection for every event (and two or three
for an asset or check event): closing the last connection to a WAL database checkpoints
it to disk and deletes the WAL file, so a sample run of ~1,700 events pays thousands of
checkpoints. While one more connection stays open, a close is only a close. Measured on
this machine's disk: 10-25 ms per event write alone, 3-7 ms with the file held open. The
connection never reads or writes, so it blocks nobody. The Dagster UI follows a live run
by watching its `.db` file, which now changes only when the WAL is copied back into it:
`flush()` does that (a passive checkpoint), once per progress tick.

Each commit also waits for the disk (fsync). In WAL mode, `synchronous=NORMAL` skips that
wait and keeps the file consistent after any crash; an operating-system crash or power
cut may lose the last events of the run history (never the warehouse). With both, a
write took 0.2 ms. Only SQLite files of this instance, only while the run executes;
PostgreSQL storage is left alone.

Dagster also builds a new SQLAlchemy engine and connection for every event, and asks the
index whether the asset-check table exists before each check event: about a third of the
CLI process's CPU in a demo run, on the core dbt needs. While held, each file keeps one
engine and one connection (Dagster's own lock already lets one caller in at a time), and
a table once found is not looked up again."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool


class HeldEventLog:
    """`hold()` opens each of the run's event log files once it exists (call it again
    until the run's own file appeared), makes new connections to the instance's SQLite
    files commit without fsync and lets the storage keep its connections; `close()` undoes
    all three (the last close folds the WAL back into the file, as Dagster's would)."""

    def __init__(self, instance: DagsterInstance, run_id: str) -> None:
        storage = instance.event_log_storage
        sqlite = isinstance(storage, SqliteEventLogStorage)
        self._storage = storage if sqlite else None
        self._engines: dict[str, Engine] = {}
        self._tables: set[str] = set()
        self._paths = (
            [Path(storage.path_for_shard(s)) for s in (INDEX_SHARD_NAME, run_id)] if sqlite else []
        )
        self._home = Path(instance.root_directory).resolve() if sqlite else None
        self._held: dict[Path, sqlite3.Connection] = {}
        self._listening = False

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
        if self._home is not None and not self._listening:
            event.listen(Engine, "connect", self._no_fsync_per_commit)
            self._listening = True
            self._storage._connect = self._kept_connection
            self._storage.has_table = self._has_table
        for path in self._paths:
            if path not in self._held and path.exists():  # never create a file Dagster will
                connection = sqlite3.connect(
                    f"file:{path}?mode=rw", uri=True, check_same_thread=False
                )
                connection.execute("select 1 from sqlite_master limit 1").fetchall()  # maps the WAL
                self._held[path] = connection

    def flush(self) -> None:
        """Copy what the WAL holds into the files, so watchers of a run see its events."""
        for connection in self._held.values():
            connection.execute("pragma wal_checkpoint(PASSIVE)").fetchall()

    def close(self) -> None:
        if self._listening:
            with self._storage._db_lock:
                del self._storage._connect, self._storage.has_table  # Dagster's own again
                for engine in self._engines.values():
                    engine.dispose()
                self._engines.clear()
            event.remove(Engine, "connect", self._no_fsync_per_commit)
            self._listening = False
        for connection in self._held.values():
            connection.close()
        self._held.clear()
