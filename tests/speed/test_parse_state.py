"""A run's `dbt build` reuses the parse `provider-view` saved, although it builds a file at
another path (its working copy): dbt itself accepts the re-hashed parse state and does not
parse the project again, and the state is not reused where the parse could differ. A file
of another name reuses the parse the last build of a file of that name left."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.defs import parse_state

TARGET = settings.DBT_PROJECT_DIR / "target"
REPARSED = "Unable to do partial parsing because profile has changed"
REUSED = "Partial parsing enabled"


def _dbt_ls(target: Path, building: Path, logs: Path) -> str:
    """What dbt logs while it lists one model for a build of `building` from `target`."""
    result = subprocess.run(
        [settings.dbt_executable(), "ls", "--select", "stg_files__patients"]
        + ["--target-path", str(target), "--log-path", str(logs)],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, settings.WAREHOUSE_ENV: str(building), "PROVIDER_VIEW_TARGET": "duckdb"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return (logs / "dbt.log").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def saved(dbt_manifest) -> Path:
    """The project's target folder, holding the parse `provider-view` saved."""
    assert (TARGET / parse_state.SAVED).exists() and (TARGET / parse_state.PROFILE).exists()
    return TARGET


def test_a_build_of_another_file_reuses_the_saved_parse(saved, tmp_path):
    building = tmp_path / "warehouse.duckdb.1f2e3d.building"  # a run's working copy
    seeded = tmp_path / "seeded"
    assert parse_state.seed(saved, seeded, str(building))
    log = _dbt_ls(seeded, building, tmp_path / "logs_seeded")
    assert REUSED in log and REPARSED not in log

    # the control: the same state as saved, not re-hashed, makes dbt parse it all again
    plain = tmp_path / "plain"
    plain.mkdir()
    shutil.copy(saved / parse_state.SAVED, plain / parse_state.PARTIAL_PARSE)
    assert REPARSED in _dbt_ls(plain, building, tmp_path / "logs_plain")


def _saved_alone(saved: Path, into: Path) -> Path:
    """A copy of the project's target folder with its saved parse and no build folders."""
    into.mkdir()
    for path in saved.iterdir():
        if path.is_file():
            shutil.copy(path, into / path.name)
    return into


def test_another_database_name_or_an_unknown_hash_is_never_reused(saved, tmp_path):
    target = _saved_alone(saved, tmp_path / "target")
    # dbt names the database after the file: a clinic.duckdb build parses to other nodes
    assert not parse_state.seed(target, tmp_path / "a", str(tmp_path / "clinic.duckdb.1.building"))
    assert not (tmp_path / "a").exists()

    # a saved hash this module cannot reproduce (here: the recorded path is wrong)
    (target / parse_state.PROFILE).write_text(json.dumps({"path": "/elsewhere/warehouse.duckdb"}))
    assert not parse_state.seed(target, tmp_path / "b", str(tmp_path / "warehouse.duckdb.2"))
    assert not (tmp_path / "b").exists()


def test_a_build_of_a_file_of_another_name_reuses_the_parse_of_the_last_build_of_that_name(
    saved, tmp_path
):
    target = _saved_alone(saved, tmp_path / "target")
    first, second = target / "dbt_models-1", target / "dbt_models-2"
    first_file = str(tmp_path / "clinic.duckdb.run1.building")
    assert not parse_state.seed(target, first, first_file)
    parse_state.note(first, first_file)
    # the first build of the name parses the project whole, and leaves its parse behind
    assert "saved manifest not found" in _dbt_ls(first, Path(first_file), tmp_path / "logs_1")

    second_file = str(tmp_path / "clinic.duckdb.run2.building")
    assert parse_state.seed(target, second, second_file)
    log = _dbt_ls(second, Path(second_file), tmp_path / "logs_2")
    assert REUSED in log and REPARSED not in log
    # a file named otherwise still gets neither parse
    assert not parse_state.seed(target, target / "c", str(tmp_path / "other.duckdb.3.building"))
