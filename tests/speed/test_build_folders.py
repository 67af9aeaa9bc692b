"""dbt's target/ keeps a folder per build: the newest stay, older ones go, and no digest
of the project walks into them (each run digested every earlier run's files before)."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.defs.build_folders import prune_build_folders
from orchestration.project_files import project_files


def _folders(target: Path, op: str, count: int) -> list[Path]:
    made = []
    for n in range(count):
        folder = target / f"{op}-run{n:04d}-{n:07x}"
        (folder / "compiled").mkdir(parents=True)
        (folder / "run_results.json").write_text("{}")
        os.utime(folder, (1_000_000 + n, 1_000_000 + n))  # built one after another
        made.append(folder)
    return made


def test_the_newest_build_folders_stay_and_older_ones_go(tmp_path: Path):
    target = tmp_path / "target"
    builds = _folders(target, "dbt_models", 25)
    others = _folders(target, "other_op", 3)
    (target / "manifest.json").write_text("{}")

    prune_build_folders(target / "dbt_models-runnext-abcdef0", keep=20)

    assert sorted(p for p in target.iterdir() if p.name.startswith("dbt_models")) == builds[6:]
    assert all(p.is_dir() for p in others) and (target / "manifest.json").exists()


def test_project_files_leave_out_what_tools_write(tmp_path: Path):
    (tmp_path / "models" / "staging").mkdir(parents=True)
    (tmp_path / "models" / "staging" / "stg.sql").write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: x")
    _folders(tmp_path / "target", "dbt_models", 3)
    (tmp_path / "models" / "__pycache__").mkdir()
    (tmp_path / "models" / "__pycache__" / "x.pyc").write_bytes(b"")
    (tmp_path / ".user.yml").write_text("id: 1")

    found = project_files(tmp_path, {"target", "__pycache__", ".user.yml"})

    assert found == [tmp_path / "dbt_project.yml", tmp_path / "models" / "staging" / "stg.sql"]
