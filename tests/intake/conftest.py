"""Fixtures for bringing a clinic's own exports: the shipped sample, run once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from e2e.conftest import Built, run_cli

from orchestration.settings import DATA_DIR

SAMPLE = DATA_DIR / "sample"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Built:
    """`provider-view run --inputs data/sample` into a fresh warehouse."""
    root = tmp_path_factory.mktemp("sample")
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    warehouse = root / "warehouse.duckdb"
    result = run_cli(env, "run", "--inputs", str(SAMPLE), "--warehouse", str(warehouse))
    return Built(SAMPLE, warehouse, {}, env, result.stdout)


def sample_files() -> list[Path]:
    return sorted(SAMPLE.glob("*.csv"))
