"""Skip a refresh whose inputs did not change (issue 13: an unchanged rerun ≤ 15 s).

A run's result is a function of: the export files (name, size, modification stamp),
the column map, the as-of date (today when none is set: freshness moves with the
calendar), the enabled sources, and the code that turns files into marts (the dbt
project and the Python of ingestion and the checks). `input_fingerprint` digests all of
it; `record_fingerprint` stores it in the warehouse after a successful run, and
`unchanged_since_last_run` tells the next run whether there is anything to do, and
`mark_unchanged` records that check against the assets in Dagster. API
sources cannot be fingerprinted without calling them, so a run that loads one never
skips.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb

from ingestion.files.reader import list_export_files

_SCHEMA = "pipeline_meta"  # not raw_files: checks there scan every table
_TABLE = f"{_SCHEMA}._run_input_fingerprint"
_REPO = Path(__file__).resolve().parents[1]
# The code whose change changes the marts, checks or pages.
_CODE = (
    ("dbt_project", ("*.sql", "*.yml", "*.csv", "*.md")),
    ("ingestion", ("*.py",)),
    ("orchestration", ("*.py",)),
)


def input_fingerprint(
    inputs: str | None,
    sources: tuple[str, ...],
    as_of: str | None,
    map_path: str | None = None,
    repo: Path = _REPO,
) -> str | None:
    """A digest of everything a run reads; None when that cannot be known (an API
    source is enabled: only a call would tell whether it has new rows)."""
    if any(s != "files" for s in sources) or not inputs:
        return None
    digest = hashlib.sha256()
    digest.update(f"as_of={as_of or date.today().isoformat()}\n".encode())
    for export in list_export_files(inputs):
        digest.update(f"file={export.name}:{export.fingerprint}\n".encode())
    if map_path:
        digest.update(b"map=" + Path(map_path).read_bytes() + b"\n")
    for folder, patterns in _CODE:
        for pattern in patterns:
            for path in sorted((repo / folder).rglob(pattern)):
                if not _generated(path, repo):
                    rel = path.relative_to(repo).as_posix()
                    digest.update(f"code={rel}:".encode() + _file_digest(path) + b"\n")
    return digest.hexdigest()


def unchanged_since_last_run(warehouse: Path, fingerprint: str | None) -> bool:
    """True when the warehouse's last successful run read exactly these inputs."""
    if fingerprint is None or not Path(warehouse).exists():
        return False
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema = ? AND table_name = ?",
            [_SCHEMA, _TABLE.split(".")[1]],
        ).fetchone()[0]
        if not found:
            return False
        last = con.execute(f"SELECT fingerprint FROM {_TABLE}").fetchone()
    return last is not None and last[0] == fingerprint


def record_fingerprint(warehouse: Path, fingerprint: str | None) -> None:
    """Remember what a successful run read (call only after the run succeeded)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_SCHEMA}")
        con.execute(
            f"CREATE OR REPLACE TABLE {_TABLE} AS"
            " SELECT ?::VARCHAR AS fingerprint, current_timestamp AS recorded_at",
            [fingerprint],
        )


def mark_unchanged(instance, asset_keys, fingerprint: str) -> None:
    """Tell the Dagster instance a skipped refresh looked at these assets and found
    nothing new: one observation per asset, shown in the UI's asset history."""
    from dagster import AssetObservation

    for key in asset_keys:
        instance.report_runless_asset_event(
            AssetObservation(
                asset_key=key,
                description="refresh skipped: no input changed since the last run",
                metadata={"input_fingerprint": fingerprint, "unchanged": True},
            )
        )


def _generated(path: Path, repo: Path) -> bool:
    parts = path.relative_to(repo).parts
    return any(p in {"target", "dbt_packages", "logs", "__pycache__"} for p in parts)


def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).hexdigest().encode()
