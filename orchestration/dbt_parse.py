"""Write dbt_project/target/manifest.json, which the Dagster graph is built from."""

from __future__ import annotations

import subprocess
from pathlib import Path

from orchestration import settings


def parse_dbt_project() -> Path:
    """`dbt parse` in the project folder; raises with dbt's output when it fails."""
    result = subprocess.run(
        [settings.dbt_executable(), "parse", "--quiet"],
        cwd=settings.DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return settings.DBT_PROJECT_DIR / "target" / "manifest.json"
