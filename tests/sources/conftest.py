"""Fixtures for source tests: an isolated dlt, a DuckDB file per test, a sleep recorder."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import dlt
import duckdb
import pytest


@pytest.fixture(autouse=True)
def isolated_dlt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # dlt reads .dlt/*.toml from the working directory: keep the project's out of tests.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt_data"))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def make_pipeline(tmp_path: Path, warehouse: Path) -> Callable[[str], dlt.Pipeline]:
    def make(name: str) -> dlt.Pipeline:
        return dlt.pipeline(
            pipeline_name=f"test_{name}",
            destination=dlt.destinations.duckdb(str(warehouse)),
            dataset_name=f"raw_{name}",
            pipelines_dir=str(tmp_path / "pipelines"),
        )

    return make


@pytest.fixture
def query(warehouse: Path) -> Callable[[str], list[tuple]]:
    """Run SQL against the DuckDB file the pipeline wrote (read-only, as BI tools do)."""

    def run(sql: str) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    return run


@pytest.fixture
def sleeps() -> list[float]:
    """Pass `sleep=sleeps.append` to a source: retries record their delay instead of waiting."""
    return []


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog
