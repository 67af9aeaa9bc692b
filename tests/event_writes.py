"""Events written straight to an instance's event log, as a run's steps write them, for
the tests of the held event log (orchestration/cli/event_log.py) on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import time

from dagster import DagsterInstance
from dagster._core.events.log import EventLogEntry
from sqlalchemy import event
from sqlalchemy.engine import Engine


def write(instance: DagsterInstance, run_id: str, text: str) -> None:
    instance.event_log_storage.store_event(
        EventLogEntry(
            error_info=None,
            level=logging.INFO,
            user_message=text,
            run_id=run_id,
            timestamp=time.time(),
        )
    )


def messages(instance: DagsterInstance, run_id: str) -> list[str]:
    return [e.user_message for e in instance.all_logs(run_id)]


def connections_opened(instance: DagsterInstance, run_id: str, events: int) -> int:
    """New database connections while `events` events are written, each followed by the
    question a check event asks (does the asset-check table exist?)."""
    opened = []

    def count(*_):
        opened.append(1)

    event.listen(Engine, "connect", count)
    try:
        for n in range(events):
            write(instance, run_id, f"event {n}")
            assert instance.event_log_storage.supports_asset_checks
    finally:
        event.remove(Engine, "connect", count)
    return len(opened)
