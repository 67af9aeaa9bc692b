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
PostgreSQL storage is left alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from sqlalchemy import event
from sqlalchemy.engine import Engine


class HeldEventLog:
    """`hold()` opens each of the run's event log files once it exists (call it again
    until the run's own file appeared) and makes new connections to the instance's SQLite
    files commit without fsync; `close()` undoes both (the last close folds the WAL back
    into the file, as Dagster's would)."""

    def __init__(self, instance: DagsterInstance, run_id: str) -> None:
        storage = instance.event_log_storage
        sqlite = isinstance(storage, SqliteEventLogStorage)
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

    def hold(self) -> None:
        if self._home is not None and not self._listening:
            event.listen(Engine, "connect", self._no_fsync_per_commit)
            self._listening = True
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
            event.remove(Engine, "connect", self._no_fsync_per_commit)
            self._listening = False
        for connection in self._held.values():
            connection.close()
        self._held.clear()
