"""The unchanged-input fingerprint: any input or code change moves it; a recorded run
with the same fingerprint is recognised; API sources never skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration.input_fingerprint import (
    input_fingerprint,
    record_fingerprint,
    unchanged_since_last_run,
)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    inputs = tmp_path / "exports"
    inputs.mkdir()
    (inputs / "patients.csv").write_text("patient_id,clinic_id\np1,c1\n")
    repo = tmp_path / "repo"
    for folder, name in (("dbt_project/models", "m.sql"), ("ingestion", "a.py")):
        (repo / folder).mkdir(parents=True)
        (repo / folder / name).write_text("select 1\n")
    (repo / "orchestration").mkdir()
    (repo / "dbt_project" / "target").mkdir()
    (repo / "dbt_project" / "target" / "manifest.sql").write_text("generated")
    return inputs, repo


def _fp(inputs: Path, repo: Path, **kw) -> str | None:
    args = {"sources": ("files",), "as_of": "2026-09-30", "map_path": None} | kw
    return input_fingerprint(str(inputs), repo=repo, **args)


def test_same_inputs_same_fingerprint_and_generated_files_ignored(setup):
    inputs, repo = setup
    first = _fp(inputs, repo)
    (repo / "dbt_project" / "target" / "manifest.sql").write_text("regenerated")
    assert first is not None and _fp(inputs, repo) == first


def test_every_input_moves_the_fingerprint(setup, tmp_path):
    inputs, repo = setup
    first = _fp(inputs, repo)
    assert _fp(inputs, repo, as_of="2026-10-01") != first
    mapping = tmp_path / "map.yml"
    mapping.write_text("patients: {}\n")
    assert _fp(inputs, repo, map_path=str(mapping)) != first
    (repo / "dbt_project" / "models" / "m.sql").write_text("select 2\n")
    second = _fp(inputs, repo)
    assert second != first
    (inputs / "patients_2026-10-01.csv").write_text("patient_id,clinic_id\np2,c1\n")
    third = _fp(inputs, repo)
    assert third != second
    stamp = (inputs / "patients.csv").stat().st_mtime
    os.utime(inputs / "patients.csv", (stamp + 60, stamp + 60))  # rewritten in place
    assert _fp(inputs, repo) != third


def test_api_sources_never_skip(setup):
    inputs, repo = setup
    assert _fp(inputs, repo, sources=("files", "google_ads")) is None
    assert input_fingerprint(None, ("files",), "2026-09-30", repo=repo) is None


def test_recorded_fingerprint_is_recognised(setup, tmp_path):
    inputs, repo = setup
    warehouse = tmp_path / "warehouse.duckdb"
    fingerprint = _fp(inputs, repo)
    assert not unchanged_since_last_run(warehouse, fingerprint)  # no warehouse yet
    record_fingerprint(warehouse, "an older run")
    assert not unchanged_since_last_run(warehouse, fingerprint)
    record_fingerprint(warehouse, fingerprint)
    assert unchanged_since_last_run(warehouse, fingerprint)
    assert not unchanged_since_last_run(warehouse, None)


def test_a_skipped_refresh_is_recorded_against_each_asset():
    from dagster import AssetKey, DagsterEventType, DagsterInstance, EventRecordsFilter

    from orchestration.input_fingerprint import mark_unchanged

    keys = [AssetKey(["raw_files", "patients"]), AssetKey(["marts", "provider_performance"])]
    with DagsterInstance.ephemeral() as instance:
        mark_unchanged(instance, keys, "abc123")
        for key in keys:
            records = instance.get_event_records(
                EventRecordsFilter(DagsterEventType.ASSET_OBSERVATION, asset_key=key)
            )
            assert len(records) == 1
            observation = records[0].event_log_entry.asset_observation
            assert observation.metadata["input_fingerprint"].value == "abc123"
