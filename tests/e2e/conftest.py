"""End-to-end fixtures: the provider-view command on a small generated clinic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.demo import generate_clinic

CLI = [sys.executable, "-m", "orchestration.cli"]


@dataclass
class Built:
    inputs: Path
    warehouse: Path
    truth: dict
    env: dict
    output: str

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.sql(sql).fetchall()

    def run_cli(self, *args: str) -> subprocess.CompletedProcess:
        return run_cli(self.env, *args)


def run_cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise AssertionError(
            f"provider-view {' '.join(args)} failed:\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


@pytest.fixture(scope="module")
def small_clinic(tmp_path_factory) -> Built:
    """A small demo clinic loaded and built once by `provider-view run`."""
    root = tmp_path_factory.mktemp("clinic")
    inputs = root / "exports"
    generate_clinic(inputs, scale=0.05, seed=11)
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    warehouse = root / "warehouse.duckdb"
    result = run_cli(env, "run", "--inputs", str(inputs), "--warehouse", str(warehouse))
    truth = json.loads((inputs / "truth.json").read_text())
    return Built(inputs, warehouse, truth, env, result.stdout)
