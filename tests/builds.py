"""Warehouses built by `provider-view run` once per test session and shared by every test
that only reads them; a test that changes one works on a copy.

Under pytest-xdist each worker runs the session fixtures itself: the first worker to ask
for a build makes it under a file lock in the folder the workers share, the others wait
on the lock and read the record it left."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from ingestion.demo import generate_clinic

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "orchestration.cli"]

# The one demo clinic the read-only tests share. Scale 0.1: its campaign-provider routing
# rows reach min_consults (the semantic-layer tests need published values), and it still
# has withheld rates and the planted bad rows the quality and report tests look for.
DEMO_SCALE, DEMO_SEED = 0.1, 11


def clean_env(dagster_home: Path) -> dict:
    """This process's environment without any PROVIDER_VIEW_ or DAGSTER setting of the
    person running the tests, on its own Dagster home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROVIDER_VIEW_", "DAGSTER"))}
    return {**env, "DAGSTER_HOME": str(dagster_home), "PYTHONUNBUFFERED": "1"}


@dataclass(frozen=True)
class DemoBuild:
    """The demo clinic's exports and the warehouse `provider-view run` built from them,
    on its own Dagster home; the pages the run rendered sit in reports/ beside it."""

    root: Path
    returncode: int
    stdout: str
    stderr: str
    day: str  # ISO date the run started on

    @property
    def fingerprinted_today(self) -> bool:
        """Whether the run's input fingerprint holds today's date: a run with no as-of date
        digests the day, so on a copy of a build from before midnight an unchanged rerun
        rebuilds (as it must: the future-dated rows it refused may load now)."""
        return self.day == date.today().isoformat()

    @property
    def inputs(self) -> Path:
        return self.root / "exports"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def env(self) -> dict:
        return clean_env(self.dagster_home)

    @property
    def truth(self) -> dict:
        return json.loads((self.inputs / "truth.json").read_text(encoding="utf-8"))

    @property
    def output(self) -> str:
        """What the run printed."""
        return self.stdout

    @property
    def run_log(self) -> str:
        """The run's full log (dbt's and dlt's own lines), which the CLI names on screen."""
        path = re.search(r"its full log: (\S+\.log)", self.stdout)
        return Path(path.group(1)).read_text(encoding="utf-8") if path else ""

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def copy(self, to: Path) -> Path:
        """A copy of the warehouse file to change without touching the shared one."""
        to.parent.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copyfile(self.warehouse, to))

    def copy_home(self, to: Path) -> Path:
        """A copy of the Dagster home (the instance that ran the build)."""
        return Path(shutil.copytree(self.dagster_home, to))


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """`name` under this session's temporary folder; with xdist, the folder all workers
    share (each worker's own basetemp is a child of it)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], dict]
) -> tuple[Path, dict]:
    """`build(root)` run once per session in the shared folder `name`; returns the folder
    and what `build` recorded (JSON), a failed build included: nobody builds it twice."""
    root = shared_folder(tmp_path_factory, name)
    with FileLock(str(root) + ".lock"):
        record = root / "build.json"
        if not record.exists():
            shutil.rmtree(root, ignore_errors=True)  # a build interrupted earlier
            root.mkdir(parents=True)
            record.write_text(json.dumps(build(root)), encoding="utf-8")
        return root, json.loads(record.read_text(encoding="utf-8"))


def build_demo(root: Path) -> dict:
    generate_clinic(root / "exports", scale=DEMO_SCALE, seed=DEMO_SEED)
    day = date.today().isoformat()
    result = subprocess.run(
        [*CLI, "run", "--inputs", str(root / "exports"), "--warehouse"]
        + [str(root / "warehouse.duckdb")],
        env=clean_env(root / "dagster"),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return {
        "returncode": result.returncode,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "day": day,
    }


def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    root, record = built_once(tmp_path_factory, "demo_build", build_demo)
    return DemoBuild(root, **record)  # the record's keys are the build's fields


def require_success(build: DemoBuild) -> DemoBuild:
    if build.returncode != 0:
        pytest.fail(f"provider-view run failed:\n{(build.stdout + build.stderr)[-5000:]}")
    return build
