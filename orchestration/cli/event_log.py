"""Make the event log of a run the CLI executes cheap to write (SQLite and PostgreSQL).

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
write took 0.2 ms. Only SQLite files of this instance, only while the run executes.

Dagster's PostgreSQL event log (dagster-postgres) has no pool either: a new server
connection per event, and one more for each table look-up. While held, it gets the pool
Dagster's webserver gives it (one connection kept, more only while several are in use at
once) and a table once found is not looked up again. A run of the tests' demo clinic
into PostgreSQL over a unix socket went from 60 s to 44 s (the check steps, which write
an event per check, twice as fast)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import DagsterInstance
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

if TYPE_CHECKING:  # dagster-postgres (0.6 s to import) is imported when it is the storage
    from dagster_postgres.event_log import PostgresEventLogStorage


def _found_once(storage) -> Callable[[str], bool]:
    """The storage's `has_table`, asking only until a table is found (none is dropped
    while a run writes)."""
    found: set[str] = set()
    own = type(storage).has_table

    def has_table(table_name: str) -> bool:
        if table_name not in found and own(storage, table_name):
            found.add(table_name)
        return table_name in found

    return has_table


class HeldEventLog:
    """`hold()`, `flush()` and `close()` for the instance's event log, whichever storage
    it is (SQLite or PostgreSQL; any other is left as it is)."""

    def __init__(self, instance: DagsterInstance) -> None:
        storage = instance.event_log_storage
        self._held: _HeldSqlite | _HeldPostgres | None = None
        if isinstance(storage, SqliteEventLogStorage):
            self._held = _HeldSqlite(storage, Path(instance.root_directory))
        elif type(storage).__module__.startswith("dagster_postgres."):
            self._held = _HeldPostgres(storage)

    def hold(self) -> None:
        if self._held:
            self._held.hold()

    def flush(self) -> None:
        if self._held:
            self._held.flush()

    def close(self) -> None:
        if self._held:
            self._held.close()


class _HeldSqlite:
    """`hold()` lets the instance's SQLite event log keep one connection per file (made
    when Dagster first touches the file, so the hold creates none) and makes new
    connections to the instance's SQLite files commit without fsync; `close()` undoes both
    (the last close folds the WAL back into the file, as Dagster's would)."""

    def __init__(self, storage: SqliteEventLogStorage, home: Path) -> None:
        self._storage = storage
        self._home = home.resolve()
        self._engines: dict[str, Engine] = {}
        self._holding = False

    def _no_fsync_per_commit(self, connection, _record) -> None:
        """SQLAlchemy's connect hook: NORMAL sync on this instance's SQLite files."""
        if not isinstance(connection, sqlite3.Connection):
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

    def hold(self) -> None:
        if self._holding:
            return
        event.listen(Engine, "connect", self._no_fsync_per_commit)
        self._storage._connect = self._kept_connection
        self._storage.has_table = _found_once(self._storage)
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


class _HeldPostgres:
    """While held, the storage's engine is a pooled one, as Dagster's webserver makes it
    (`optimize_for_webserver`, without its statement timeout), and a table once found is
    not looked up again; `close()` gives the storage its own engine back."""

    def __init__(self, storage: PostgresEventLogStorage) -> None:
        self._storage = storage
        self._own_engine: Engine | None = None

    def hold(self) -> None:
        if self._own_engine is not None:
            return
        from dagster_postgres.utils import create_pg_engine

        storage = self._storage
        self._own_engine = storage._engine
        storage._engine = create_pg_engine(
            storage.postgres_url,
            getattr(storage, "_token_provider", None),
            isolation_level="AUTOCOMMIT",
            pool_size=1,  # kept between events
            max_overflow=8,  # a connection opened inside another's use, closed after it
            pool_pre_ping=True,  # a server restart mid-run costs a reconnect, not the run
        )
        storage.has_table = _found_once(storage)

    def flush(self) -> None:
        """Nothing waits: each event is committed on the server as it is written."""

    def close(self) -> None:
        if self._own_engine is None:
            return
        pooled, self._storage._engine = self._storage._engine, self._own_engine
        del self._storage.has_table
        pooled.dispose()
        self._own_engine = None
