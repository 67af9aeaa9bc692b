"""Argument checks the CLI makes before it starts anything: a mistake is one clear line
and exit status 2, never a half-started run or a traceback."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ingestion.files import ENTITIES
from ingestion.files.reader import ExportFileError, file_entity, list_export_files


class UsageError(Exception):
    """A user mistake: its message is printed alone, as one line."""


def iso_date(text: str) -> str:
    """argparse type of --as-of."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def positive(text: str) -> float:
    """argparse type of --scale."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0: {text!r}")
    return value


def check_warehouse(path: Path) -> None:
    if path.is_dir():
        raise UsageError(f"--warehouse names a folder, not a DuckDB file: {path}")
    if path.parent.exists() and not path.parent.is_dir():
        raise UsageError(f"--warehouse: {path.parent} is a file, not a folder")


def check_inputs(inputs: str) -> list[str]:
    """The entities with at least one export in `inputs`, or a UsageError when the folder
    is missing or holds no export at all."""
    if "://" not in inputs and not Path(inputs).is_dir():
        what = "is a file, not a folder" if Path(inputs).exists() else "not found"
        raise UsageError(f"input folder {what}: {inputs}")
    try:
        files = list_export_files(inputs)
    except ExportFileError as exc:
        raise UsageError(str(exc)) from None
    found = {file_entity(f.name, list(ENTITIES)) for f in files} - {None}
    if not found:
        raise UsageError(
            f"no export found in {inputs}: expected CSV files named after an entity"
            f" ({', '.join(ENTITIES)}), e.g. appointments.csv or appointments_2026-11.csv"
        )
    return sorted(found)
