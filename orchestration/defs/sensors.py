"""Automation an ops team expects: a refresh when an export lands, and an alert when a run
fails (a line in a log file, and a POST to a webhook when one is configured).

PROVIDER_VIEW_ALERT_LOG      alert log file (default <DAGSTER_HOME>/alerts.log)
PROVIDER_VIEW_ALERT_WEBHOOK  URL that receives each alert as JSON (default: none)
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from dagster import (
    DagsterEventType,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from ingestion.files import ENTITIES
from ingestion.files.reader import ExportFileError, file_entity, list_export_files
from orchestration import settings
from orchestration.defs.schedules import refresh_job

ALERT_LOG_ENV = "PROVIDER_VIEW_ALERT_LOG"
ALERT_WEBHOOK_ENV = "PROVIDER_VIEW_ALERT_WEBHOOK"


def export_fingerprints(folder: str) -> dict[str, str]:
    """Every export file of the folder (a file named after an entity) -> size and mtime."""
    return {
        f.name: f.fingerprint
        for f in list_export_files(folder)
        if file_entity(f.name, list(ENTITIES)) is not None
    }


@sensor(
    job=refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts `refresh` when a new or changed export lands in the inputs folder"
    " (name, size and modification time; one run per drop).",
)
def new_exports(context: SensorEvaluationContext):
    folder = settings.inputs_url()
    try:
        seen_now = export_fingerprints(folder)
    except ExportFileError as exc:
        return SkipReason(str(exc))
    seen_before = json.loads(context.cursor) if context.cursor else {}
    changed = sorted(name for name, stamp in seen_now.items() if seen_before.get(name) != stamp)
    cursor = json.dumps(seen_now, sort_keys=True)
    if not changed:
        return SensorResult(skip_reason=SkipReason(f"no new export in {folder}"), cursor=cursor)
    # the drop's identity: the same files in the same state never start a second run
    run_key = hashlib.sha256(
        json.dumps({n: seen_now[n] for n in changed}, sort_keys=True).encode()
    ).hexdigest()[:16]
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=run_key,
                tags={
                    "provider_view/trigger": "new exports",
                    "provider_view/files": ",".join(changed)[:1000],
                },
            )
        ],
        cursor=cursor,
    )


def alert_text(context: RunFailureSensorContext) -> dict:
    """Which step failed and why, which checks failed, which files were refused."""
    run = context.dagster_run
    instance = context.instance
    failed_steps, refused, failed_checks = [], [], []
    for event in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_FAILURE):
        data = event.dagster_event.step_failure_data
        user = data.user_failure_data
        why = (user.description if user and user.description else None) or (
            data.error.message.strip().splitlines()[0] if data.error else "failed"
        )
        failed_steps.append(f"{event.step_key}: {why.splitlines()[0]}")
        files = user.metadata.get("refused_files") if user and user.metadata else None
        if files is not None:
            refused += str(getattr(files, "value", files)).splitlines()
    for event in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = event.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity.value == "ERROR":
            failed_checks.append(
                f"{evaluation.asset_key.to_user_string()} · {evaluation.check_name}"
                + (f": {evaluation.description}" if evaluation.description else "")
            )
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run.run_id,
        "job": run.job_name,
        "warehouse": run.tags.get("provider_view/warehouse", settings.warehouse_path().as_posix()),
        "failed_steps": failed_steps,
        "failed_checks": failed_checks,
        "refused_files": refused,
    }


def alert_line(alert: dict) -> str:
    parts = [f"{alert['at']} run {alert['run_id']} ({alert['job']}) FAILED"]
    parts += [f"step {s}" for s in alert["failed_steps"]]
    parts += [f"check {c}" for c in alert["failed_checks"]]
    parts += [f"file {f}" for f in alert["refused_files"]]
    return " | ".join(parts)


def alert_log_path() -> Path:
    home = os.environ.get("DAGSTER_HOME") or settings.DAGSTER_HOME
    return Path(os.environ.get(ALERT_LOG_ENV) or Path(home) / "alerts.log")


@run_failure_sensor(
    name="alert_on_failure",
    monitored_jobs=[refresh_job],
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes a line per failed run (step, failed checks, refused files) to the"
    f" alert log ({ALERT_LOG_ENV}) and POSTs it as JSON to {ALERT_WEBHOOK_ENV} when set.",
)
def alert_on_failure(context: RunFailureSensorContext) -> None:
    alert = alert_text(context)
    path = alert_log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        log.write(alert_line(alert) + "\n")
    url = os.environ.get(ALERT_WEBHOOK_ENV)
    if url:
        request = urllib.request.Request(
            url,
            data=json.dumps(alert).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            context.log.info(f"alert posted to the webhook: HTTP {response.status}")
