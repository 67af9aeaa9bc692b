"""End-to-end fixtures: the provider-view command on the session's demo clinic."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from builds import DemoBuild

CLI = [sys.executable, "-m", "orchestration.cli"]


@dataclass
class Built:
    inputs: Path
    warehouse: Path
    truth: dict
    env: dict
    output: str
    build: DemoBuild | None = None  # the shared build this reads, when it is one

    def changeable(self, root: Path) -> Built:
        """The same clinic on a copy of the warehouse and of its Dagster home."""
        home = self.build.copy_home(root / "dagster")
        warehouse = self.build.copy(root / self.warehouse.name)
        return Built(
            self.inputs, warehouse, self.truth, {**self.env, "DAGSTER_HOME": str(home)}, self.output
        )

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


@pytest.fixture(scope="session")
def small_clinic(demo_build) -> Built:
    """The session's demo clinic, built once by `provider-view run` (tests/builds.py):
    read it; `changeable()` gives a copy to run the CLI on again."""
    b = demo_build
    return Built(b.inputs, b.warehouse, b.truth, b.env, b.output, b)
