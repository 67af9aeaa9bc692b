"""The automation an ops team relies on: the file-drop sensor (one run per drop), the
run-failure alert (log line and webhook POST), freshness policies, and the quarantine
warning's wording."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    Failure,
    RunRequest,
    SensorResult,
    build_run_status_sensor_context,
    build_sensor_context,
    job,
    op,
)

from orchestration import settings
from orchestration.defs.sensors import (
    ALERT_LOG_ENV,
    ALERT_WEBHOOK_ENV,
    alert_on_failure,
    new_exports,
)
from orchestration.quality.quarantine import percent


def _evaluate(cursor: str | None) -> SensorResult:
    with DagsterInstance.ephemeral() as instance:
        return new_exports(build_sensor_context(instance=instance, cursor=cursor))


def test_a_new_or_changed_export_starts_one_run(tmp_path, monkeypatch):
    inputs = tmp_path / "exports"
    inputs.mkdir()
    (inputs / "appointments.csv").write_text("appointment_id\n1\n")
    (inputs / "notes.txt").write_text("not an export")
    monkeypatch.setenv(settings.INPUTS_ENV, str(inputs))

    first = _evaluate(None)
    assert [type(r) for r in first.run_requests] == [RunRequest]
    assert first.run_requests[0].tags["provider_view/files"] == "appointments.csv"
    again = _evaluate(first.cursor)
    assert again.run_requests in (None, [])  # nothing new: no second run for the same drop

    (inputs / "leads_2026-11.csv").write_text("lead_id\n1\n")
    os.utime(inputs / "appointments.csv", (1, 1))  # the same name, changed
    dropped = _evaluate(again.cursor)
    assert len(dropped.run_requests) == 1
    request = dropped.run_requests[0]
    assert request.tags["provider_view/files"] == "appointments.csv,leads_2026-11.csv"
    assert request.run_key != first.run_requests[0].run_key
    # the same drop seen from the old cursor again yields the same run_key: Dagster runs it once
    assert _evaluate(again.cursor).run_requests[0].run_key == request.run_key


def test_the_sensor_skips_a_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.INPUTS_ENV, str(tmp_path / "nowhere"))
    result = _evaluate(None)
    assert "input folder not found" in str(getattr(result, "skip_message", result))


@op
def load_files():
    raise Failure(
        description="files refused whole (the rest loaded):\nappointments: a.csv: no header",
        metadata={"refused_files": "appointments: a.csv: no header"},
    )


@job
def failing():
    load_files()


def test_a_failed_run_writes_an_alert_line_and_posts_it(tmp_path, monkeypatch, httpserver):
    httpserver.expect_request("/alert", method="POST").respond_with_data("ok")
    log = tmp_path / "alerts.log"
    monkeypatch.setenv(ALERT_LOG_ENV, str(log))
    monkeypatch.setenv(ALERT_WEBHOOK_ENV, httpserver.url_for("/alert"))
    with DagsterInstance.ephemeral() as instance:
        result = failing.execute_in_process(instance=instance, raise_on_error=False)
        failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name="alert_on_failure",
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            dagster_event=failure,
        ).for_run_failure()
        alert_on_failure(context)

    line = log.read_text().strip()
    assert f"run {result.run_id} (failing) FAILED" in line
    assert "step load_files: files refused whole" in line
    assert "file appointments: a.csv: no header" in line
    ((request, _),) = httpserver.log
    posted = json.loads(request.data)
    assert posted["run_id"] == result.run_id
    assert posted["refused_files"] == ["appointments: a.csv: no header"]


def test_sources_and_marts_carry_a_freshness_policy():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    for key in (
        AssetKey(["raw", "files", "appointments"]),
        AssetKey(["marts", "provider_performance"]),
    ):
        policy = graph.get(key).freshness_policy
        assert policy is not None, key
        assert policy.fail_window.to_timedelta() == timedelta(hours=50)
        assert policy.warn_window.to_timedelta() == timedelta(hours=26)


@pytest.mark.parametrize(
    ("quarantined", "read", "shown"),
    [(3, 90_108, "0.003%"), (1, 3_421, "0.03%"), (1, 22, "4.5%"), (0, 10, "0%"), (1, 2, "50.0%")],
)
def test_a_small_quarantined_share_shows_its_first_digit(quarantined, read, shown):
    assert percent(quarantined / read) == shown
