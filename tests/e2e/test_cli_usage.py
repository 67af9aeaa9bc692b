"""User mistakes get one clear line on stderr, a non-zero exit and no traceback, and are
caught before anything starts (no warehouse file, no Dagster run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterInstance

from ingestion.demo import generate_clinic

CLI = [sys.executable, "-m", "orchestration.cli"]


def _cli(tmp_path: Path, *args: str, home: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROVIDER_VIEW_", "DAGSTER"))}
    if home:
        env["DAGSTER_HOME"] = str(tmp_path / "dagster")
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["run", "--inputs", "/nonexistent/exports"], "input folder not found: /nonexistent"),
        (["run", "--inputs", "{empty}", "--as-of", "notadate"], "not a date (YYYY-MM-DD)"),
        (["run", "--inputs", "{empty}", "--as-of", "2026-02-30"], "not a date (YYYY-MM-DD)"),
        (["run", "--inputs", "{empty}"], "no export found in"),
        (["run", "--inputs", "{empty}", "--warehouse", "{empty}"], "names a folder"),
        (["demo", "--scale", "0"], "must be a number above 0"),
    ],
)
def test_a_mistake_is_one_line_and_starts_nothing(tmp_path, args, says):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not an export")
    warehouse = tmp_path / "warehouse.duckdb"
    args = [a.replace("{empty}", str(empty)) for a in args]
    if "--warehouse" not in args:
        args += ["--warehouse", str(warehouse)]
    result = _cli(tmp_path, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not warehouse.exists()
    assert not (tmp_path / "dagster").exists()


def test_a_refused_file_is_one_clear_failure_and_counted_in_the_summary(tmp_path):
    """Also: the run goes to the warehouse's own instance, tagged with what it ran on, and
    `status` reports it without writing anything."""
    inputs = tmp_path / "exports"
    generate_clinic(inputs, scale=0.02, seed=3)
    (inputs / "appointments_broken.csv").write_text("foo,bar\n1,2\n")
    warehouse = tmp_path / "w.duckdb"
    args = ("run", "--inputs", str(inputs), "--warehouse", str(warehouse), "--as-of", "2026-10-01")
    result = _cli(tmp_path, *args, home=False)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out
    assert len(out.splitlines()) < 60, out
    assert "✗ raw_files: FAILED" in out
    header = next(line for line in out.splitlines() if line.startswith("entity "))
    assert header.split()[-2:] == ["files", "refused"]
    row = next(line for line in out.splitlines() if line.startswith("appointments "))
    assert row.split()[-1] == "1"
    assert "refused whole (appointments): appointments_broken.csv: missing required column" in out

    home = tmp_path / "w.dagster"  # no DAGSTER_HOME: the warehouse's own instance
    with DagsterInstance.from_config(str(home)) as instance:
        (run,) = instance.get_runs()
    assert run.tags["provider_view/warehouse"] == str(warehouse)
    assert run.tags["provider_view/inputs"] == str(inputs)
    assert run.tags["provider_view/as_of"] == "2026-10-01"
    assert not (tmp_path / "dagster").exists()

    def state() -> dict:
        return {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}

    before = state()
    status = _cli(tmp_path, "status", "--warehouse", str(warehouse), home=False)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"last run: {run.run_id} FAILURE" in status.stdout
    assert f"  inputs: {inputs}" in status.stdout
    assert "checks: " in status.stdout
    assert "freshness: not checked in this run" in status.stdout  # dbt did not run
    assert state() == before  # read-only: no file written or touched


def test_the_command_exits_with_its_code_and_leaves_shutdown_nothing_to_collect(monkeypatch):
    """`provider-view` freezes what the command made before its process ends, so Python's
    shutdown does not walk it all (2.3–2.8 s after a run's "done", measured)."""
    import gc

    import orchestration.cli as cli

    frozen = []
    monkeypatch.setattr(cli.commands, "main", lambda: 3)
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    assert cli.main() == 3
    assert frozen == [True]
