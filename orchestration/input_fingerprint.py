"""Skip a refresh whose inputs did not change (issue 13: an unchanged rerun ≤ 15 s).

A run's result is a function of: the export files (name, size, modification stamp),
the column map, the as-of date (today when none is set: freshness moves with the
calendar), the enabled sources, and the code that turns files into marts (the dbt
project and the Python of ingestion and the checks). `input_fingerprint` digests all of
it; `record_fingerprint` stores it in the working copy a run publishes (with the run's
id), `skippable` tells the next run whether there is anything to do, and
`mark_unchanged` records that finding against the assets in Dagster. API
sources cannot be fingerprinted without calling them, so a run that loads one never
skips.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatch
from pathlib import Path

import duckdb

from ingestion.files.reader import list_export_files
from orchestration.project_files import project_files

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
        for path in project_files(repo / folder):
            if any(fnmatch(path.name, pattern) for pattern in patterns):
                rel = path.relative_to(repo).as_posix()
                digest.update(f"code={rel}:".encode() + _file_digest(path) + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class LastRun:
    """What the warehouse's last publishing run read, and which run it was."""

    fingerprint: str
    run_id: str


def last_recorded(warehouse: Path) -> LastRun | None:
    """The fingerprint recorded in the warehouse by the run that published it, if any."""
    if not Path(warehouse).exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            found = con.execute(
                "SELECT count(*) FROM information_schema.tables"
                " WHERE table_schema = ? AND table_name = ?",
                [_SCHEMA, _TABLE.split(".")[1]],
            ).fetchone()[0]
            if not found:
                return None
            row = con.execute(f"SELECT fingerprint, run_id FROM {_TABLE}").fetchone()
    except duckdb.Error:  # held by a writer (a run in place): the run will say why
        return None
    return LastRun(row[0], row[1] or "") if row and row[0] else None


def unchanged_since_last_run(warehouse: Path, fingerprint: str | None) -> bool:
    """True when the warehouse's last publishing run read exactly these inputs."""
    last = last_recorded(warehouse) if fingerprint else None
    return last is not None and last.fingerprint == fingerprint


def record_fingerprint(warehouse: Path, fingerprint: str | None, run_id: str = "") -> None:
    """Remember what a run read, in the file it is about to publish (before the swap:
    readers hold the published file open). None forgets: a run whose inputs are not
    known (a schedule, an API source) must not leave an older run's record behind."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_SCHEMA}")
        con.execute(
            f"CREATE OR REPLACE TABLE {_TABLE} AS SELECT ?::VARCHAR AS fingerprint,"
            " ?::VARCHAR AS run_id, current_timestamp AS recorded_at WHERE ? IS NOT NULL",
            [fingerprint, run_id, fingerprint],
        )


def skippable(instance, warehouse: Path, fingerprint: str | None) -> LastRun | None:
    """The run a refresh with these inputs would only repeat, or None. Besides the same
    fingerprint, that run must be the instance's newest run and have succeeded: a run
    after it (a subset materialized in the UI writes in place, a failed or killed run)
    may have changed the warehouse without recording anything."""
    last = last_recorded(warehouse) if fingerprint else None
    if last is None or last.fingerprint != fingerprint or not last.run_id:
        return None
    from dagster import DagsterRunStatus

    newest = instance.get_run_records(limit=1)
    if not newest or newest[0].dagster_run.run_id != last.run_id:
        return None
    return last if newest[0].dagster_run.status == DagsterRunStatus.SUCCESS else None


def mark_unchanged(instance, run_id: str, fingerprint: str, layers: tuple[str, ...]) -> list:
    """Tell the Dagster instance a refresh found nothing new. Each asset of `layers` (the
    first part of its key) that run `run_id` materialized gets a runless materialization
    saying nothing was rebuilt, carrying that run's data and code versions, so nothing
    downstream shows as unsynced. Materializations, not observations: Dagster's
    freshness policies (FreshnessPolicy.time_window) count only materializations of a
    materializable asset, and the asset is as current as a rebuild would make it. Only
    the assets a freshness policy watches: each event costs a write to the instance's
    storage (about 0.1 s on SQLite), and the others have no clock to reset.
    Returns the asset keys marked."""
    from dagster import AssetMaterialization, DagsterEventType, MetadataValue

    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION, limit=100_000
    ).records
    latest = {}
    for record in records:  # the last materialization of each asset in that run
        event = record.event_log_entry.asset_materialization
        if event.asset_key.path[0] in layers:
            latest[event.asset_key] = event
    for key, event in latest.items():
        instance.report_runless_asset_event(
            AssetMaterialization(
                asset_key=key,
                description="unchanged inputs; no rebuild (the refresh found nothing new)",
                metadata={
                    "unchanged": True,
                    "input_fingerprint": fingerprint,
                    "built_by_run": MetadataValue.dagster_run(run_id),
                },
                tags={k: v for k, v in (event.tags or {}).items() if k.startswith("dagster/")},
            )
        )
    return list(latest)


def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).hexdigest().encode()
