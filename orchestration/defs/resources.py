"""Resources shared by the assets: where the warehouse is and what a run reads."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import dlt
import duckdb
from dagster import (
    AssetKey,
    ConfigurableResource,
    DagsterRunStatus,
    FreshnessPolicy,
    InitResourceContext,
)
from dlt.common.destination import Destination
from dlt.common.destination.client import WithStagingDataset
from dlt.common.runtime.collector import LogCollector
from dlt.destinations.impl.postgres.configuration import PostgresCredentials
from pydantic import PrivateAttr

from orchestration import settings
from orchestration.input_fingerprint import record_fingerprint

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


# A daily refresh (06:00 UTC) that is missed shows as stale: warn after 26 h, fail after 50 h.
DAILY_FRESHNESS = FreshnessPolicy.time_window(
    fail_window=timedelta(hours=50), warn_window=timedelta(hours=26)
)
# The layers it watches (the first part of the key): every source's raw assets
# (ingestion.py) and the marts (transform.py). A refresh that finds nothing new re-affirms
# these (input_fingerprint.mark_unchanged); a test holds the two in step.
FRESHNESS_LAYERS = ("raw", "marts")

# The asset whose materialization publishes a run's working copy (defs/transform.py).
PUBLISHED_KEY = AssetKey(["warehouse", "published"])
_LIVE = {DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING}


class DuckDBWorkingCopy:
    """A run's private copy of the published DuckDB file, beside it, published back by an
    atomic rename. Readers hold the published file open all day: they never block a run
    (the run writes another file) and never see a half-built mart (the rename swaps the
    whole file; an open connection keeps its snapshot until it reconnects). A killed run
    leaves only its working copy, which the next run deletes."""

    def __init__(self, published: Path, run_id: str):
        self.published = published
        self.path = published.with_name(f"{published.name}.{run_id}.building")

    @staticmethod
    def _wal(path: Path) -> Path:
        return path.with_name(path.name + ".wal")

    def prepare(self, live: Callable[[str], bool]) -> None:
        """Delete working copies of runs that are over (`live(run_id)` is False), then copy
        the published file (a first run starts from nothing)."""
        for stale in self.published.parent.glob(f"{self.published.name}.*.building*"):
            run_id = stale.name[len(self.published.name) + 1 :].split(".building")[0]
            if stale.name.startswith(self.path.name) or live(run_id):
                continue
            stale.unlink(missing_ok=True)
        if self.path.exists() or not self.published.exists():
            return
        partial = self.path.with_name(self.path.name + ".copying")
        for source, target in ((self.published, self.path), (self._wal(self.published), None)):
            if source.exists():
                target = target or self._wal(self.path)
                shutil.copyfile(source, partial)
                os.replace(partial, target)

    def publish(self) -> Path:
        """Fold the working copy's WAL into it, then swap it in for the published file."""
        with duckdb.connect(str(self.path)) as con:
            con.execute("checkpoint")
        self._wal(self.path).unlink(missing_ok=True)
        self._wal(self.published).unlink(missing_ok=True)  # copied in by prepare()
        os.replace(self.path, self.published)
        return self.published


def _plan_publishes(context: InitResourceContext) -> bool:
    """Whether this run's plan holds the step that publishes the working copy."""
    run = context.dagster_run
    if run is None or context.instance is None or not run.execution_plan_snapshot_id:
        return True
    plan = context.instance.get_execution_plan_snapshot(run.execution_plan_snapshot_id)
    return any(step.key == PUBLISHED_KEY.to_python_identifier() for step in plan.steps)


class WarehouseResource(ConfigurableResource):
    """The warehouse a run writes and what the run reads. The CLI sets every field in the
    run's resource config (shown on the run's page, kept by a re-execution); a run with
    no config (the schedule, the sensor, the UI's launchpad) falls back to the
    environment and the CLI's last run (settings.py). `as_of` and `column_map` tell
    unset (None: the environment's) from none ("": from the data, canonical files).

    `path` is the published file readers open. During a run, `warehouse_path()` is the
    DuckDB file this run writes and reads: on the DuckDB target, its working copy until
    the `warehouse/published` asset renames it over `path`, and `path` after that."""

    path: str = ""
    inputs: str = ""
    as_of: str | None = None
    column_map: str | None = None
    # what the CLI found the run reads (input_fingerprint.py), recorded in the file the run
    # publishes; empty: not known, and an older record is dropped
    input_fingerprint: str = ""

    _run_id: str | None = PrivateAttr(default=None)
    _instance: Any = PrivateAttr(default=None)
    _run_publishes: bool = PrivateAttr(default=True)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        # dbt runs as a subprocess of this process: give it the target's connection
        settings.export_target_env()
        self._run_id = context.run_id
        self._instance = context.instance
        self._run_publishes = _plan_publishes(context)

    def published_path(self) -> str:
        return self.path or str(settings.warehouse_path())

    def publishes(self) -> bool:
        """Only a DuckDB file is built aside and published, by a run that ends with
        warehouse/published; a server target, or a run of a few assets without it (a
        subset materialized in the UI, a test), writes the warehouse in place."""
        return settings.target() == settings.DUCKDB and self._run_publishes

    def _working_copy(self) -> DuckDBWorkingCopy | None:
        if not self._run_id or self._instance is None or not self.publishes():
            return None
        return DuckDBWorkingCopy(Path(self.published_path()), self._run_id)

    def _published_by_this_run(self) -> bool:
        event = self._instance.get_latest_materialization_event(PUBLISHED_KEY)
        return event is not None and event.run_id == self._run_id

    def _live(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        return run is not None and run.status in _LIVE

    def warehouse_path(self) -> str:
        copy = self._working_copy()
        if copy is None:
            return self.published_path()
        if not copy.path.exists():
            if self._published_by_this_run():
                return self.published_path()
            copy.prepare(self._live)
        return str(copy.path)

    def publish(self) -> str:
        """Swap this run's working copy in for the published file (a no-op elsewhere)."""
        copy = self._working_copy()
        if copy is None:
            return self.published_path()
        self.warehouse_path()  # a run that wrote nothing publishes the file unchanged
        if copy.path.exists():  # not when this run published already (a retried step)
            record_fingerprint(copy.path, self.input_fingerprint or None, self._run_id or "")
        return str(copy.publish())

    @contextmanager
    def dbt_env(self, indirect_selection: str | None = None) -> Iterator[None]:
        """dbt's profile reads the file from the environment: point it at this run's file
        while the dbt process is started. dbt writes no log file of its own: the run's log
        has dbt's info lines already, and writing them twice cost ~1.5 s of a demo build;
        DBT_LOG_LEVEL_FILE=info (or debug) brings dbt.log back in the build's folder.
        `indirect_selection`: which tests dbt adds to the selected models (dagster-dbt
        reads DBT_INDIRECT_SELECTION when it starts dbt)."""
        values = {
            settings.WAREHOUSE_ENV: self.warehouse_path(),
            "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "none"),
            **({"DBT_INDIRECT_SELECTION": indirect_selection} if indirect_selection else {}),
        }
        before = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    def inputs_url(self) -> str:
        return self.inputs or settings.inputs_url()

    def map_path(self) -> str:
        return settings.map_path() if self.column_map is None else self.column_map

    def as_of_date(self) -> str | None:
        return (settings.as_of_date() if self.as_of is None else self.as_of) or None

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
                # progress goes to the run's log (dagster.yaml manages "ingestion"), not stdout
                progress=LogCollector(
                    log_period=5.0,
                    logger=logging.getLogger("ingestion.dlt_progress"),
                    dump_system_stats=False,
                ),
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
