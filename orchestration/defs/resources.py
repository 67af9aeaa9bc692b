"""Resources shared by the assets: where the warehouse is and what a run reads."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import dlt
from dagster import ConfigurableResource
from dlt.common.runtime.collector import LogCollector

from orchestration import settings

# Every asset that writes the DuckDB file joins this pool; dagster.yaml gives it one slot.
WAREHOUSE_POOL = "duckdb_warehouse"


def _no_dlt_telemetry() -> None:
    """dlt starts its telemetry with the first pipeline of the process: opt out before it
    (an explicit RUNTIME__DLTHUB_TELEMETRY in the environment still wins)."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")


def standin_pipeline(name: str, dataset_name: str) -> dlt.Pipeline:
    """The definition-time pipeline a `@dlt_assets` needs; runs use `dlt_pipeline` below."""
    _no_dlt_telemetry()
    return dlt.pipeline(pipeline_name=name, destination="duckdb", dataset_name=dataset_name)


class WarehouseResource(ConfigurableResource):
    """The warehouse a run writes. Empty fields fall back to the environment
    (settings.py), so the CLI, schedules and the UI agree without extra config."""

    path: str = ""
    inputs: str = ""
    as_of: str = ""

    def warehouse_path(self) -> str:
        return self.path or str(settings.warehouse_path())

    def inputs_url(self) -> str:
        return self.inputs or settings.inputs_url()

    def as_of_date(self) -> str | None:
        return self.as_of or settings.as_of_date()

    @contextmanager
    def dlt_pipeline(self, name: str, dataset_name: str) -> Iterator[dlt.Pipeline]:
        """A dlt pipeline into this warehouse. Its working folder is thrown away after
        the run: load state lives in the warehouse, so two warehouses never share it."""
        _no_dlt_telemetry()
        with tempfile.TemporaryDirectory(prefix=f"provider-view-{name}-") as workdir:
            yield dlt.pipeline(
                pipeline_name=name,
                destination=dlt.destinations.duckdb(self.warehouse_path()),
                dataset_name=dataset_name,
                pipelines_dir=workdir,
                # progress goes to the run's log (dagster.yaml manages "ingestion"), not stdout
                progress=LogCollector(
                    log_period=5.0,
                    logger=logging.getLogger("ingestion.dlt_progress"),
                    dump_system_stats=False,
                ),
            )
