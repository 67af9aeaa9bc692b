"""Runs the CLI started in a process that has since died (killed hard, machine lost).

Such a run stays STARTED and keeps its slot in the one-slot `duckdb_warehouse` pool,
so every later run would queue behind it forever. Each CLI run is tagged with its
host and pid; before a new run starts, runs whose process is gone are marked failed
and their slots freed.
"""

from __future__ import annotations

import os
import socket

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

HOST_TAG = "provider_view/host"
PID_TAG = "provider_view/pid"


def run_tags() -> dict[str, str]:
    return {HOST_TAG: socket.gethostname(), PID_TAG: str(os.getpid())}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def reclaim_dead_runs(instance: DagsterInstance) -> list[str]:
    """Fail this host's in-progress CLI runs whose process is gone; return their ids."""
    host = socket.gethostname()
    in_progress = instance.get_run_records(
        RunsFilter(
            statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED],
            tags={HOST_TAG: host},
        )
    )
    reclaimed = []
    for record in in_progress:
        run = record.dagster_run
        pid = int(run.tags.get(PID_TAG, "0"))
        if pid and pid != os.getpid() and not _alive(pid):
            instance.report_run_failed(run, message=f"its process {pid} is gone (killed?)")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            reclaimed.append(run.run_id)
    return reclaimed
