"""The files of a folder that a digest of the project covers, found without walking into
what tools write there: dbt's target/ keeps a folder per build (hundreds of files each),
and walking it made each run's digests slower with every run before it."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

# Written by tools, not by people: dbt's target/, logs/, packages and anonymous-user id
# (.user.yml, created by the first dbt run of a checkout), Python's caches.
GENERATED = frozenset({"target", "logs", "dbt_packages", ".user.yml", "__pycache__"})


def project_files(folder: Path, skip: Collection[str] = GENERATED) -> list[Path]:
    """Every file under `folder`, sorted, leaving out files and folders named in `skip`
    (at any depth; a skipped folder is never entered)."""
    found: list[Path] = []
    for root, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if name not in skip]
        found += [Path(root, name) for name in files if name not in skip]
    return sorted(found)
