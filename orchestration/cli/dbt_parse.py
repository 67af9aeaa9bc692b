"""Write dbt_project/target/manifest.json, which the Dagster graph is built from."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from orchestration import settings

_PARTIAL_PARSE = "partial_parse.msgpack"


def parse_dbt_project() -> Path:
    """`dbt parse` in the project folder; raises with dbt's output when it fails.

    dbt parses into a private folder and the manifest is then swapped in whole, so two
    processes starting at once never read (or build from) a half-written manifest."""
    target = settings.DBT_PROJECT_DIR / "target"
    target.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".parse-", dir=target) as scratch:
        if (target / _PARTIAL_PARSE).exists():  # keeps the next parse incremental
            shutil.copy2(target / _PARTIAL_PARSE, scratch)
        result = subprocess.run(
            [settings.dbt_executable(), "parse", "--quiet", "--target-path", scratch],
            cwd=settings.DBT_PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
        for name in (_PARTIAL_PARSE, "manifest.json"):  # the manifest last: readers want it
            if (Path(scratch) / name).exists():
                os.replace(Path(scratch) / name, target / name)
    return target / "manifest.json"
