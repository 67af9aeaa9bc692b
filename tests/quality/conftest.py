"""Fixtures for the data-quality tests: the session's demo clinic (with its planted bad
rows, built by `provider-view run` on a real Dagster instance), and helpers to run the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from builds import clean_env

CLI = [sys.executable, "-m", "orchestration.cli"]
REPO = Path(__file__).resolve().parents[2]


def cli_env(dagster_home: Path) -> dict:
    return clean_env(dagster_home)  # as the shared build ran: the same marts come out


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


@pytest.fixture(scope="session")
def built(demo_build):
    """The demo clinic, built once for the session (tests/builds.py)."""
    return demo_build
