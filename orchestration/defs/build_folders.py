"""dbt's build folders under dbt_project/target/: one per `dbt build` Dagster runs."""

from __future__ import annotations

import shutil
from pathlib import Path

KEPT_BUILD_FOLDERS = 20


def prune_build_folders(new: Path, keep: int = KEPT_BUILD_FOLDERS) -> None:
    """dagster-dbt gives each build a target folder of its own (`<op>-<run>-<id>`: dbt's
    log, run results and compiled SQL, ~10 MB) and removes none: of the folders of
    earlier builds of the same op beside `new`, the newest `keep` - 1 stay."""
    op = new.name.rsplit("-", 2)[0]
    if not new.parent.is_dir() or op == new.name:
        return
    earlier = []
    for folder in new.parent.glob(f"{op}-*-*"):
        try:
            earlier.append((folder.stat().st_mtime, folder))
        except FileNotFoundError:  # removed by another process's build meanwhile
            continue
    for _, old in sorted(earlier, reverse=True)[keep - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
