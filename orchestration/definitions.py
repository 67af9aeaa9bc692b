"""The one Definitions of the Provider View code location."""

from dagster import Definitions, in_process_executor
from dagster_dlt import DagsterDltResource

from orchestration import settings
from orchestration.defs.api_sources import api_source_assets
from orchestration.defs.checks import quality_checks
from orchestration.defs.ingestion import raw_files_assets
from orchestration.defs.reports import scorecards
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.schedules import daily_refresh, refresh_job
from orchestration.defs.sensors import alert_on_failure, new_exports
from orchestration.defs.transform import (
    LocalDbtCliResource,
    dbt_models,
    dbt_project,
    published_warehouse,
)

defs = Definitions(
    assets=[raw_files_assets, *api_source_assets, dbt_models, scorecards, published_warehouse],
    asset_checks=quality_checks,
    jobs=[refresh_job],
    schedules=[daily_refresh],
    sensors=[new_exports, alert_on_failure],
    resources={
        "dlt_resource": DagsterDltResource(),
        "dbt": LocalDbtCliResource(
            project_dir=dbt_project, dbt_executable=settings.dbt_executable()
        ),
        "warehouse": WarehouseResource(),
    },
    # Runs from the UI, the schedule and the sensors run their steps in one process, as the
    # CLI does: the writers take turns on the file anyway (one pool slot), and a process
    # per step would pay Python's and the definitions' start-up a dozen times a run.
    executor=in_process_executor,
)
