"""A run's events on Dagster's PostgreSQL storage: while the CLI holds the event log it
keeps a pooled connection instead of opening one per event and per table look-up, loses
no event, and gives the storage its own engine back when the run ends."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance
from event_writes import connections_opened, messages

from orchestration.cli.event_log import HeldEventLog

from .conftest import Server

EVENTS_DB = "held_events"  # its own database: the builds' Dagster database is left alone


def _instance(server: Server, home: Path) -> DagsterInstance:
    server.execute("postgres", f"create database {EVENTS_DB}")
    url = server.url(EVENTS_DB, scheme="postgresql+psycopg2")
    home.mkdir()
    (home / "dagster.yaml").write_text(
        f"storage:\n  postgres:\n    postgres_url: '{url}'\n", encoding="utf-8"
    )
    return DagsterInstance.from_config(str(home))


def test_while_held_the_postgres_event_log_keeps_a_pooled_connection(pg_server, tmp_path):
    instance = _instance(pg_server, tmp_path / "home")
    storage = instance.event_log_storage
    own_engine = storage._engine
    assert connections_opened(instance, "r0", 10) >= 20  # Dagster's: one per event and look-up

    held = HeldEventLog(instance)
    held.hold()
    assert connections_opened(instance, "r1", 10) <= 2  # the pooled one, one look-up
    held.flush()
    held.close()

    assert storage._engine is own_engine and "has_table" not in vars(storage)
    assert connections_opened(instance, "r2", 10) >= 20
    assert [messages(instance, r) for r in ("r0", "r1", "r2")] == [
        [f"event {n}" for n in range(10)]
    ] * 3
    instance.dispose()
