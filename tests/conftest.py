"""Shared fixtures: a dlt pipeline into a throwaway DuckDB warehouse."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
import pytest

from ingestion.files import file_exports


class RawLoader:
    """Loads a folder with the file source into one DuckDB file, like the Dagster asset."""

    def __init__(self, warehouse: Path, workdir: Path):
        self.warehouse = warehouse
        self.workdir = workdir
        self.refused: list[tuple[str, str]] = []

    def new_pipeline(self) -> dlt.Pipeline:
        # a fresh working folder each time: state must come back from the warehouse
        self.workdir.mkdir(parents=True, exist_ok=True)
        return dlt.pipeline(
            pipeline_name="files",
            destination=dlt.destinations.duckdb(str(self.warehouse)),
            dataset_name="raw_files",
            pipelines_dir=str(self.workdir / f"run{len(list(self.workdir.iterdir()))}"),
        )

    def load(self, folder: Path | str):
        self.pipeline = pipeline = self.new_pipeline()
        return pipeline.run(
            file_exports(str(folder), on_file_error=lambda e, m: self.refused.append((e, m)))
        )

    def rows_extracted(self) -> dict[str, int]:
        """Rows the last load normalized, per table (0 when a table got no new rows)."""
        return dict(self.pipeline.last_trace.last_normalize_info.row_counts)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.sql(sql).fetchall()


@pytest.fixture
def raw_loader(tmp_path: Path) -> RawLoader:
    return RawLoader(tmp_path / "warehouse.duckdb", tmp_path / "dlt")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """A manifest parsed from the current dbt project (the Dagster graph is built from it)."""
    from orchestration.cli.dbt_parse import parse_dbt_project

    return parse_dbt_project()
