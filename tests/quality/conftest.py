"""Fixtures for the data-quality tests: a demo clinic (with its planted bad rows) built
once by `provider-view run` on a real Dagster instance, and helpers to run the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.demo import generate_clinic

CLI = [sys.executable, "-m", "orchestration.cli"]
REPO = Path(__file__).resolve().parents[2]


def cli_env(dagster_home: Path) -> dict:
    return {**os.environ, "DAGSTER_HOME": str(dagster_home), "PYTHONUNBUFFERED": "1"}


def run_cli(env: dict, inputs: Path, warehouse: Path, *extra: str, timeout: int = 600):
    return subprocess.run(
        [*CLI, "run", "--inputs", str(inputs), "--warehouse", str(warehouse), *extra],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def snapshot(warehouse: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, list]:
    """Every relation of `schemas`, sorted, without dlt's load bookkeeping columns."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        relations = con.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in ({', '.join('?' * len(schemas))})"
            " and table_name not like '\\_dlt%' escape '\\'",
            list(schemas),
        ).fetchall()
        out = {}
        for schema, name in relations:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ? and column_name not like '_dlt%'",
                    [schema, name],
                ).fetchall()
            ]
            cols = ", ".join(f'"{c}"' for c in columns)
            out[f"{schema}.{name}"] = con.execute(
                f"select {cols} from {schema}.{name} order by all"
            ).fetchall()
        return out


@dataclass
class Built:
    inputs: Path
    warehouse: Path
    dagster_home: Path
    output: str
    returncode: int

    def copy(self, to: Path) -> Path:
        """A copy of the built warehouse to change without touching this one."""
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.warehouse, to)
        return to


@pytest.fixture(scope="session")
def demo_clinic(tmp_path_factory) -> Built:
    """The demo clinic (scale 0.05, its planted bad rows included) built by the CLI."""
    root = tmp_path_factory.mktemp("demo_clinic")
    inputs = root / "exports"
    generate_clinic(inputs, scale=0.05, seed=11)
    warehouse = root / "warehouse.duckdb"
    home = root / "dagster"
    result = run_cli(cli_env(home), inputs, warehouse)
    return Built(inputs, warehouse, home, result.stdout + result.stderr, result.returncode)


@pytest.fixture(scope="session")
def built(demo_clinic) -> Built:
    """The demo clinic, which must have built."""
    if demo_clinic.returncode != 0:
        pytest.fail(f"provider-view run failed:\n{demo_clinic.output[-5000:]}")
    return demo_clinic


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: runs the CLI end to end several times (deselect with -m 'not slow')"
    )
