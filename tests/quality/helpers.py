"""Small warehouses for the unit tests of the checks: load a folder with the file source,
stage an entity the way dbt does (the latest version of each key)."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb

from ingestion.files import ENTITIES, file_exports


def load_folder(folder: Path, warehouse: Path, workdir: Path) -> list[tuple[str, str]]:
    refused: list[tuple[str, str]] = []
    runs = len(list(workdir.glob("run*"))) if workdir.exists() else 0
    pipeline = dlt.pipeline(
        pipeline_name="files",
        destination=dlt.destinations.duckdb(str(warehouse)),
        dataset_name="raw_files",
        pipelines_dir=str(workdir / f"run{runs}"),
    )
    pipeline.run(file_exports(str(folder), on_file_error=lambda e, m: refused.append((e, m))))
    return refused


def stage(warehouse: Path, entity: str, where: str = "true", copies: int = 1) -> None:
    """staging.stg_files__<entity>: one row per trimmed key, the later file and row winning
    (enough for entities without updated_at); `copies` > 1 duplicates every staged row."""
    key = ", ".join(f"trim({k})" for k in ENTITIES[entity].key)
    union = " union all ".join(["select * from latest"] * copies)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema if not exists staging")
        con.execute(
            f"""
            create or replace view staging.stg_files__{entity} as
            with latest as (
                select * from raw_files.{entity}
                qualify row_number() over (
                    partition by {key} order by _file_name desc, _row_number desc) = 1
            )
            select * from ({union}) where {where}
            """
        )
