"""A refresh with nothing changed rebuilds nothing (issue 13): `provider-view run` again
on a copy of the session's demo build and of its instance. It says so in one line, starts
no Dagster run (so no load and no dbt), leaves the warehouse as it was, and re-affirms the
watched assets in Dagster so their freshness policies keep passing. A changed file, map or
as-of date rebuilds; --full rebuilds anyway (tests/e2e/test_cli_load.py runs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from builds import clean_env
from dagster import AssetKey, DagsterInstance

CLI = [sys.executable, "-m", "orchestration.cli"]
SKIP_LINE = "nothing rebuilt (--full rebuilds anyway)"
MART = AssetKey(["marts", "provider_performance"])
RAW = AssetKey(["raw", "files", "patients"])
STAGING = AssetKey(["staging", "stg_files__patients"])


@dataclass
class Sample:
    inputs: Path
    warehouse: Path
    home: Path

    def run(self, *extra: str, inputs: Path | None = None) -> subprocess.CompletedProcess:
        args = ["run", "--inputs", str(inputs or self.inputs), "--warehouse", str(self.warehouse)]
        env = clean_env(self.home)  # as the shared build ran
        result = subprocess.run(
            [*CLI, *args, *extra], env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.sql(sql).fetchall()

    def marts(self) -> dict[str, list[tuple]]:
        names = self.query(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
        return {n: self.query(f"select * from marts.{n} order by all") for (n,) in names}

    def runs(self) -> list[str]:
        with DagsterInstance.from_config(str(self.home)) as instance:
            return [r.dagster_run.run_id for r in instance.get_run_records()]


@pytest.fixture(scope="module")
def sample(tmp_path_factory, demo_build) -> Sample:
    root = tmp_path_factory.mktemp("unchanged")
    sample = Sample(
        demo_build.inputs,  # read only: the tests that change a file change a copy
        demo_build.copy(root / "warehouse.duckdb"),
        demo_build.copy_home(root / "dagster"),
    )
    if not demo_build.fingerprinted_today:  # the session went past midnight
        sample.run()  # records today's fingerprint, as the build did yesterday
    return sample


def test_an_unchanged_rerun_rebuilds_nothing_and_says_so(sample):
    runs, marts = sample.runs(), sample.marts()
    loads = sample.query("select count(*) from raw_files._dlt_loads")
    started = time.time()

    out = sample.run().stdout

    assert f"· nothing changed since run {runs[0]} at " in out and SKIP_LINE in out
    assert "parsing the dbt project" not in out and "· run " not in out
    assert sample.runs() == runs  # no Dagster run: no load, no dbt, no checks
    assert sample.query("select count(*) from raw_files._dlt_loads") == loads
    assert sample.marts() == marts
    # the usual summary: rows per entity and the last run's checks
    assert f"(the checks of run {runs[0]}: nothing was checked again)" in out
    assert "checks: " in out and " 0 failed" in out and "done in " in out
    with DagsterInstance.from_config(str(sample.home)) as instance:
        for key in (MART, RAW):  # watched by the daily freshness policy
            event = instance.get_latest_materialization_event(key)
            assert event.run_id == "" and event.timestamp >= started
            metadata = event.asset_materialization.metadata
            assert metadata["unchanged"].value is True
            assert metadata["built_by_run"].value == runs[0]
        assert instance.get_latest_materialization_event(STAGING).run_id == runs[0]


def _decision(sample: Sample, monkeypatch, **changes):
    """What the CLI decides for the sample's warehouse with `changes` to its settings:
    the outcome of the skip (None: a run is needed)."""
    from orchestration.cli.commands import RunSettings, _unchanged

    monkeypatch.setenv("DAGSTER_HOME", str(sample.home))
    settings = {
        "warehouse": sample.warehouse,
        "inputs": str(sample.inputs),
        "sources": ("files",),
        "as_of": None,
    }
    run = RunSettings(**(settings | changes))
    return _unchanged(run, run.fingerprint())


def test_a_changed_file_map_or_as_of_date_is_rebuilt(sample, tmp_path, monkeypatch):
    assert _decision(sample, monkeypatch) is not None  # the control: unchanged skips
    assert _decision(sample, monkeypatch, as_of="2026-09-30") is None
    column_map = tmp_path / "MAP.toml"
    column_map.write_text("[patients]\n")
    assert _decision(sample, monkeypatch, column_map=str(column_map)) is None
    copied = tmp_path / "exports"
    shutil.copytree(sample.inputs, copied)  # names, sizes and stamps kept: the same inputs
    assert _decision(sample, monkeypatch, inputs=str(copied)) is not None
    later = time.time() + 60
    os.utime(copied / "appointments.csv", (later, later))  # re-exported
    assert _decision(sample, monkeypatch, inputs=str(copied)) is None
