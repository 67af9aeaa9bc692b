"""`provider-view run --as-of DATE`: the production build leaves dbt's unit tests out (they
would inherit the command-line var and fail), and the dbt unit tests still pass when run on
their own, as the test suite and CI run them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingestion.demo import generate_clinic
from orchestration import settings

from .conftest import run_cli

pytestmark = pytest.mark.slow  # its fixture runs the CLI end to end


@pytest.fixture(scope="module")
def as_of_clinic(tmp_path_factory):
    """A small clinic built with an explicit as-of date 30 days before the data's own."""
    root = tmp_path_factory.mktemp("as_of")
    inputs = root / "exports"
    generate_clinic(inputs, scale=0.05, seed=11)
    truth = json.loads((inputs / "truth.json").read_text())
    as_of = date.fromisoformat(truth["as_of_date"]) - timedelta(days=30)
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    warehouse = root / "warehouse.duckdb"
    result = run_cli(
        env, "run", "--inputs", str(inputs), "--warehouse", str(warehouse), "--as-of", str(as_of)
    )
    return warehouse, as_of, result.stdout


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).fetchall()


def test_a_run_with_as_of_ends_every_clinics_trailing_window_on_that_date(as_of_clinic):
    warehouse, as_of, output = as_of_clinic
    assert "done" in output
    clinics = {
        c for (c,) in _query(warehouse, "select distinct clinic_id from marts.dim_locations")
    }
    assert clinics
    for mart in ("provider_performance", "campaign_performance"):
        ends = _query(
            warehouse,
            f"select clinic_id, min(period_end), max(period_end) from marts.{mart}"
            " where period_type = 'trailing_90d' group by clinic_id",
        )
        assert {c for c, _, _ in ends} == clinics, mart
        assert {(lo, hi) for _, lo, hi in ends} == {(as_of, as_of)}, mart


def test_dbt_unit_tests_pass_on_their_own(as_of_clinic, tmp_path):
    """`dbt test --select test_type:unit` on a copy of the built warehouse (unit tests need
    their parents' relations to exist): every unit test runs and passes."""
    warehouse, _, _ = as_of_clinic
    copy = shutil.copyfile(warehouse, tmp_path / "unit.duckdb")
    env = {**os.environ, settings.WAREHOUSE_ENV: str(copy)}
    env.pop(settings.AS_OF_ENV, None)
    result = subprocess.run(
        [
            settings.dbt_executable(),
            "test",
            "--select",
            "test_type:unit",
            "--project-dir",
            str(settings.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 6
    assert {r["status"] for r in unit} == {"pass"}
