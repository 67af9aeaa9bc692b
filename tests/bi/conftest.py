"""The session's demo warehouse, built once by `provider-view run`, for what a BI tool reads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


@dataclass
class BiWarehouse:
    path: Path
    truth: dict

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session")
def bi_warehouse(demo_build) -> BiWarehouse:
    """The session's demo warehouse (tests/builds.py: its routing rows reach min_consults)."""
    return BiWarehouse(demo_build.warehouse, demo_build.truth)


@pytest.fixture(scope="session")
def manifest(dbt_manifest: Path) -> dict:
    return json.loads(Path(dbt_manifest).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def marts(manifest: dict) -> dict[str, dict]:
    """The published models (models/marts/), by name."""
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }
