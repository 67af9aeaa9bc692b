"""The run's SQLite event log stays open while the run writes: Dagster's closes then leave
the WAL in place (no checkpoint per event), nothing is lost, and a file Dagster has not
created yet is not created by the hold. Meanwhile, and only then, connections to the
instance's SQLite files commit without fsync (other SQLite files keep their setting) and
the storage keeps one connection per file instead of opening one per event."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance
from event_writes import connections_opened, messages, write
from sqlalchemy import create_engine, text

from orchestration.cli.event_log import HeldEventLog


def test_held_files_keep_their_wal_and_lose_no_event(tmp_path: Path):
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        run_file = Path(instance.event_log_storage.path_for_shard("r1"))
        held = HeldEventLog(instance)
        held.hold()
        assert not run_file.exists()  # the hold waits for Dagster to create it

        write(instance, "r1", "first")  # Dagster creates the file (on the kept connection)
        held.hold()
        stamp = run_file.stat().st_mtime_ns
        write(instance, "r1", "second")
        write(instance, "r1", "third")
        assert Path(f"{run_file}-wal").exists()  # held: Dagster's close is only a close
        assert run_file.stat().st_mtime_ns == stamp  # the events wait in the WAL
        held.flush()
        assert run_file.stat().st_mtime_ns != stamp  # a watcher of the file sees them
        assert messages(instance, "r1") == ["first", "second", "third"]

        held.close()
        write(instance, "r1", "fourth")
        assert not Path(f"{run_file}-wal").exists()
        assert messages(instance, "r1") == ["first", "second", "third", "fourth"]


def _synchronous(path: Path) -> int:
    """SQLite's synchronous level of a new SQLAlchemy connection (1 NORMAL, 2 FULL)."""
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        level = connection.execute(text("pragma synchronous")).scalar()
    engine.dispose()
    return level


def test_instance_files_commit_without_fsync_only_while_held(tmp_path: Path):
    (tmp_path / "home").mkdir()
    with DagsterInstance.local_temp(str(tmp_path / "home")) as instance:
        index = Path(instance.event_log_storage.path_for_shard("index"))
        elsewhere = tmp_path / "other.db"
        held = HeldEventLog(instance)
        assert (_synchronous(index), _synchronous(elsewhere)) == (2, 2)
        held.hold()
        assert (_synchronous(index), _synchronous(elsewhere)) == (1, 2)
        held.close()
        assert (_synchronous(index), _synchronous(elsewhere)) == (2, 2)


def test_while_held_the_storage_keeps_its_connections(tmp_path: Path):
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        storage = instance.event_log_storage
        assert connections_opened(instance, "r0", 10) >= 20  # Dagster's: two per event
        held = HeldEventLog(instance)
        held.hold()
        assert connections_opened(instance, "r1", 10) <= 3  # the run's, the index's, one look-up
        held.close()
        assert "_connect" not in vars(storage) and "has_table" not in vars(storage)
        assert connections_opened(instance, "r2", 10) >= 20
        assert [len(messages(instance, r)) for r in ("r0", "r1", "r2")] == [10, 10, 10]
