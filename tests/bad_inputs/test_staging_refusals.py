"""Rules across entities (a reference that names nothing: an unknown provider, service,
location or patient, a refund pointing nowhere) are judged at staging, on the winning
version of each key: such a row goes to stg_files__quarantine with stage 'staging' and
its reason, and every row is still accounted for.

Why staging and not the loader: the loader reads one folder; a provider may arrive in a
later drop (then the row heals on the next build), an older version of a row may be fine
while the winning one is not, and a refund may name a line loaded long ago.

The rules live in base_files__<entity> models and macros/references.sql.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import dlt
import duckdb
import pytest

from ingestion.files import ENTITIES, file_exports
from orchestration import settings
from orchestration.quality.accounting import accounting_outcome

from .corpus import VALID, header, row

ORPHANS = {
    # kind: (entity, key, the row's changes, reason)
    "unknown_provider_id": (
        "appointments",
        "apt_1_p",
        {"provider_id": "prov_404"},
        "unknown provider_id: 'prov_404'",
    ),
    "unknown_service_id": (
        "appointments",
        "apt_1_s",
        {"service_id": "svc_404"},
        "unknown service_id: 'svc_404'",
    ),
    "unknown_location_id": (
        "provider_shifts",
        "shift_1_l",
        {"location_id": "loc_404"},
        "unknown location_id: 'loc_404'",
    ),
    "unknown_patient_id": (
        "invoice_lines",
        "line_1_p",
        {"patient_id": "pat_404"},
        "unknown patient_id: 'pat_404'",
    ),
    "refund_pointing_nowhere": (
        "invoice_lines",
        "line_1_r",
        {"refund_of_line_id": "line_404", "quantity": "-1"},
        "unknown refund_of_line_id: 'line_404'",
    ),
    "refund_of_itself": (
        "invoice_lines",
        "line_1_s",
        {"refund_of_line_id": "line_1_s", "quantity": "-1"},
        "unknown refund_of_line_id: 'line_1_s'",
    ),
    "patient_of_an_unknown_location": (
        "patients",
        "pat_1_l",
        {"location_id": "loc_404"},
        "unknown location_id: 'loc_404'",
    ),
}


def _orphans_of(entity: str) -> list[str]:
    return sorted(k for k, o in ORPHANS.items() if o[0] == entity)


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> Path:
    """A valid row of every entity, plus the orphans (rows 2, 3, ... of their file),
    loaded and staged by dbt."""
    root = tmp_path_factory.mktemp("staging_refusals")
    folder = root / "in"
    folder.mkdir()
    for entity in ENTITIES:
        rows = [row(entity, "")]
        for kind in _orphans_of(entity):
            _, key, changes, _ = ORPHANS[kind]
            rows.append(row(entity, key.removeprefix(_valid_key(entity)), **changes))
        (folder / f"{entity}.csv").write_text("\n".join([header(entity), *rows]) + "\n")
    warehouse = root / "warehouse.duckdb"
    dlt.pipeline(
        pipeline_name="files",
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name="raw_files",
        pipelines_dir=str(root / "dlt"),
    ).run(file_exports(str(folder)))
    subprocess.run(
        [
            settings.dbt_executable(),
            "build",  # the seeds (value sets) the staging models read, then the models
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--select",
            "+path:models/staging/files",
            "--target-path",
            str(root / "target"),
            "--log-path",
            str(root / "logs"),
            "--quiet",
        ],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, settings.WAREHOUSE_ENV: str(warehouse)},
        check=True,
        capture_output=True,
    )
    return warehouse


def _valid_key(entity: str) -> str:
    return VALID[entity][ENTITIES[entity].key[0]]


@pytest.mark.parametrize("kind", sorted(ORPHANS))
def test_a_row_naming_nothing_is_refused_at_staging_with_its_reason(staged, kind):
    entity, key, _, reason = ORPHANS[kind]
    with duckdb.connect(str(staged), read_only=True) as con:
        refused = con.execute(
            "select stage, file_name, row_number, reason from staging.stg_files__quarantine"
            " where entity = ? and record_key = ?",
            [entity, key],
        ).fetchall()
        key_column = ENTITIES[entity].key[0]
        staged_keys = {
            k
            for (k,) in con.execute(
                f"select {key_column} from staging.stg_files__{entity}"
            ).fetchall()
        }
    row_number = 2 + _orphans_of(entity).index(kind)
    assert refused == [("staging", f"{entity}.csv", row_number, reason)]
    assert key not in staged_keys and _valid_key(entity) in staged_keys


def test_every_row_is_accounted_for_with_staging_refusals(staged):
    with duckdb.connect(str(staged), read_only=True) as con:
        for entity in ("appointments", "invoice_lines", "provider_shifts", "patients"):
            outcome = accounting_outcome(con, ENTITIES[entity])
            assert outcome.passed, outcome.description
            assert outcome.metadata["refused_at_staging"] >= 1
