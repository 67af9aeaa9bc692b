"""A small demo warehouse built once by `provider-view run`, for what a BI tool reads."""

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

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


@dataclass
class BiWarehouse:
    path: Path
    truth: dict

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="session")
def bi_warehouse(tmp_path_factory) -> BiWarehouse:
    root = tmp_path_factory.mktemp("bi")
    inputs, path = root / "exports", root / "warehouse.duckdb"
    generate_clinic(inputs, scale=0.1, seed=11)  # routing rows reach min_consults
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    env.pop("PROVIDER_VIEW_AS_OF", None)
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--inputs", str(inputs)]
        + ["--warehouse", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return BiWarehouse(path, json.loads((inputs / "truth.json").read_text(encoding="utf-8")))


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
