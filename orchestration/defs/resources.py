"""Resources shared by the assets: where the warehouse is and what a run reads."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import dlt
from dagster import ConfigurableResource, InitResourceContext
from dlt.common.destination import Destination
from dlt.common.destination.client import WithStagingDataset
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

from orchestration import settings

# Every asset that writes the DuckDB file joins this pool; dagster.yaml gives it one slot.
# It limits Dagster steps, not dbt's threads inside its one step: those come from the
# dbt profile (1 for DuckDB, several for PostgreSQL).
WAREHOUSE_POOL = "duckdb_warehouse"


def _no_dlt_telemetry() -> None:
    """dlt starts its telemetry with the first pipeline of the process: opt out before it
    (an explicit RUNTIME__DLTHUB_TELEMETRY in the environment still wins)."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")


def standin_pipeline(name: str, dataset_name: str) -> dlt.Pipeline:
    """The definition-time pipeline a `@dlt_assets` needs; runs use `dlt_pipeline` below."""
    _no_dlt_telemetry()
    return dlt.pipeline(pipeline_name=name, destination="duckdb", dataset_name=dataset_name)


def dlt_destination(duckdb_path: str) -> Destination:
    """dlt's destination for the configured target (settings.target())."""
    if settings.target() == settings.POSTGRES:
        pg = settings.pg_connection()
        credentials = PostgresCredentials()
        credentials.database, credentials.username = pg.dbname, pg.user
        credentials.password, credentials.port = pg.password, pg.port
        credentials.host, credentials.query = pg.host, {"sslmode": pg.sslmode}
        if pg.is_socket:  # dlt writes a URL, where a socket directory goes in the query
            credentials.host, credentials.query["host"] = "localhost", pg.host
        return dlt.destinations.postgres(credentials=credentials)
    return dlt.destinations.duckdb(duckdb_path)


class WarehouseResource(ConfigurableResource):
    """The warehouse a run writes. Empty fields fall back to the environment
    (settings.py), so the CLI, schedules and the UI agree without extra config."""

    path: str = ""
    inputs: str = ""
    as_of: str = ""
    column_map: str = ""

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # dbt runs as a subprocess of this process: give it the target's connection
        settings.export_target_env()

    def warehouse_path(self) -> str:
        return self.path or str(settings.warehouse_path())

    def inputs_url(self) -> str:
        return self.inputs or settings.inputs_url()

    def map_path(self) -> str:
        return self.column_map or settings.map_path()

    def as_of_date(self) -> str | None:
        return self.as_of or settings.as_of_date()

    @contextmanager
    def dlt_pipeline(self, name: str, dataset_name: str) -> Iterator[dlt.Pipeline]:
        """A dlt pipeline into this warehouse. Its working folder is thrown away after
        the run: load state lives in the warehouse, so two warehouses never share it. After
        a load that succeeded, dlt's staging dataset is dropped (see drop_staging_dataset)."""
        _no_dlt_telemetry()
        with tempfile.TemporaryDirectory(prefix=f"provider-view-{name}-") as workdir:
            pipeline = dlt.pipeline(
                pipeline_name=name,
                destination=dlt_destination(self.warehouse_path()),
                dataset_name=dataset_name,
                pipelines_dir=workdir,
                progress="log",
            )
            yield pipeline
            drop_staging_dataset(pipeline)


def drop_staging_dataset(pipeline: dlt.Pipeline) -> None:
    """Drop the dataset dlt merges through (`<dataset>_staging`). It is dlt's working space:
    after a completed load it holds nothing the next load needs (dlt creates it again), and
    a BI tool opening the warehouse should see raw, staging, intermediate and marts only.
    dlt's own `truncate_staging_dataset` empties its tables but leaves the schema listed."""
    with pipeline.destination_client() as client:
        if not isinstance(client, WithStagingDataset):
            return
        with client.sql_client.with_staging_dataset():
            if client.sql_client.has_dataset():
                client.sql_client.drop_dataset()
