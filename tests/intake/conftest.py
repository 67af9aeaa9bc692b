"""Fixtures for bringing a clinic's own exports: the shipped sample, run once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from e2e.conftest import Built, run_cli

from ingestion.files.entities import ENTITIES
from orchestration.settings import DATA_DIR

SAMPLE = DATA_DIR / "sample"


@pytest.fixture(scope="session")  # three modules compare against it
def sample_run(tmp_path_factory) -> Built:
    """`provider-view run --inputs data/sample` into a fresh warehouse."""
    root = tmp_path_factory.mktemp("sample")
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    warehouse = root / "warehouse.duckdb"
    result = run_cli(env, "run", "--inputs", str(SAMPLE), "--warehouse", str(warehouse))
    return Built(SAMPLE, warehouse, {}, env, result.stdout)


def sample_files() -> list[Path]:
    return sorted(SAMPLE.glob("*.csv"))


def landed(built) -> dict[str, tuple[int, int, int]]:
    """(staged, quarantined, superseded) per entity, as the warehouse holds them."""
    out = {}
    for entity in ENTITIES:
        staged = built.query(f"select count(*) from staging.stg_files__{entity}")[0][0]
        quarantined, at_staging = built.query(
            "select count(*), count(*) filter (stage = 'staging') from"
            f" staging.stg_files__quarantine where entity = '{entity}' and row_number > 0"
        )[0]
        raw = built.query(f"select count(*) from raw_files.{entity}")[0][0]
        out[entity] = (staged, quarantined, raw - staged - at_staging)
    return out
