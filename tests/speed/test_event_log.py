"""The run's SQLite event log stays open while the run writes: Dagster's closes then leave
the WAL in place (no checkpoint per event), nothing is lost, and a file Dagster has not
created yet is not created by the hold."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from dagster import DagsterInstance
from dagster._core.events.log import EventLogEntry

from orchestration.cli.event_log import HeldEventLog


def _write(instance: DagsterInstance, run_id: str, text: str) -> None:
    instance.event_log_storage.store_event(
        EventLogEntry(
            error_info=None,
            level=logging.INFO,
            user_message=text,
            run_id=run_id,
            timestamp=time.time(),
        )
    )


def _messages(instance: DagsterInstance, run_id: str) -> list[str]:
    return [e.user_message for e in instance.all_logs(run_id)]


def test_held_files_keep_their_wal_and_lose_no_event(tmp_path: Path):
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        run_file = Path(instance.event_log_storage.path_for_shard("r1"))
        held = HeldEventLog(instance, "r1")
        held.hold()
        assert not run_file.exists()  # the hold waits for Dagster to create it

        _write(instance, "r1", "first")
        assert not Path(f"{run_file}-wal").exists()  # unheld: each close checkpoints
        held.hold()
        _write(instance, "r1", "second")
        _write(instance, "r1", "third")
        assert Path(f"{run_file}-wal").exists()  # held: Dagster's close is only a close
        assert _messages(instance, "r1") == ["first", "second", "third"]

        held.close()
        _write(instance, "r1", "fourth")
        assert not Path(f"{run_file}-wal").exists()
        assert _messages(instance, "r1") == ["first", "second", "third", "fourth"]
