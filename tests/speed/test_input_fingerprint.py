"""The unchanged-input fingerprint: any input or code change moves it; a recorded run
with the same fingerprint is recognised; API sources never skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import DagsterInstance, DataVersion, MaterializeResult, asset, materialize

from orchestration.input_fingerprint import (
    LastRun,
    input_fingerprint,
    last_recorded,
    mark_unchanged,
    record_fingerprint,
    skippable,
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
    record_fingerprint(warehouse, "an older run", "run-1")
    assert not unchanged_since_last_run(warehouse, fingerprint)
    record_fingerprint(warehouse, fingerprint, "run-2")
    assert unchanged_since_last_run(warehouse, fingerprint)
    assert last_recorded(warehouse) == LastRun(fingerprint, "run-2")
    assert not unchanged_since_last_run(warehouse, None)
    record_fingerprint(warehouse, None)  # a run whose inputs are not known forgets
    assert last_recorded(warehouse) is None
    assert not unchanged_since_last_run(warehouse, fingerprint)


@asset(key=["raw", "files", "patients"])
def _raw():
    return MaterializeResult(data_version=DataVersion("raw-v1"))


@asset(key=["staging", "stg_patients"], deps=[_raw])
def _staging():
    return MaterializeResult(data_version=DataVersion("stg-v1"))


@asset(key=["marts", "provider_performance"], deps=[_staging])
def _mart():
    return MaterializeResult(data_version=DataVersion("mart-v1"))


def _materializations(instance, key):
    return instance.fetch_materializations(key, limit=10).records


def test_a_refresh_is_skippable_only_after_the_newest_run_succeeded(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with DagsterInstance.ephemeral() as instance:
        built = materialize([_raw, _staging, _mart], instance=instance)
        record_fingerprint(warehouse, "fp", built.run_id)
        assert skippable(instance, warehouse, "fp") == LastRun("fp", built.run_id)
        assert skippable(instance, warehouse, "other") is None
        assert skippable(instance, warehouse, None) is None
        # any run since (a subset in the UI writes in place) may have changed the warehouse
        materialize([_raw], instance=instance)
        assert skippable(instance, warehouse, "fp") is None


def test_a_skipped_refresh_reaffirms_the_watched_assets_with_their_versions():
    from dagster import AssetKey

    with DagsterInstance.ephemeral() as instance:
        built = materialize([_raw, _staging, _mart], instance=instance)
        marked = mark_unchanged(instance, built.run_id, "abc123", ("raw", "marts"))

        assert marked == [AssetKey(["raw", "files", "patients"]), _mart.key]
        assert len(_materializations(instance, _staging.key)) == 1  # not watched: untouched
        for key, version in ((marked[0], "raw-v1"), (marked[1], "mart-v1")):
            latest, before = _materializations(instance, key)
            event = latest.event_log_entry
            assert event.run_id == ""  # runless: nothing ran
            assert before.run_id == built.run_id
            metadata = event.asset_materialization.metadata
            assert metadata["unchanged"].value is True
            assert metadata["input_fingerprint"].value == "abc123"
            assert metadata["built_by_run"].value == built.run_id
            assert event.asset_materialization.tags["dagster/data_version"] == version
