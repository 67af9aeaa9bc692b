"""Dagster's own storage on PostgreSQL (orchestration/deploy/dagster.postgres.yaml): the
`provider-view run` on PostgreSQL used a Dagster home with that file, and its run, events
and asset checks landed in the server's `dagster` database, not in local SQLite files."""

from __future__ import annotations

import pytest

from .conftest import DAGSTER_DB

pytestmark = pytest.mark.slow  # its fixture runs the CLI end to end


def test_the_run_and_its_events_land_in_postgres(builds):
    server = builds.server
    runs = server.query(DAGSTER_DB, "select run_id, pipeline_name, status from runs")
    assert [(job, status) for _, job, status in runs] == [("refresh", "SUCCESS")]
    run_id = runs[0][0]

    events = dict(
        server.query(
            DAGSTER_DB,
            "select dagster_event_type, count(*) from event_logs"
            " where run_id = %s and dagster_event_type is not null group by 1",
            [run_id],
        )
    )
    assert events["PIPELINE_SUCCESS"] == 1
    assert events["ASSET_MATERIALIZATION"] >= 60  # raw tables and every dbt model
    assert events["ASSET_CHECK_EVALUATION"] > 300  # dbt tests and the quality checks

    materialized = {
        key
        for (key,) in server.query(
            DAGSTER_DB,
            "select asset_key from event_logs"
            " where run_id = %s and dagster_event_type = 'ASSET_MATERIALIZATION'",
            [run_id],
        )
    }
    assert '["marts", "provider_performance"]' in materialized
    assert '["raw", "files", "appointments"]' in materialized


def test_nothing_of_the_instance_is_kept_in_local_sqlite(builds):
    assert not list(builds.postgres_home.rglob("*.db"))
