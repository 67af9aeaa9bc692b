"""dbt assets: every model, seed and snapshot; dbt tests become asset checks."""

import json
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration import settings
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource

dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)
dbt_project.prepare_if_dev()


class LayerTranslator(DagsterDbtTranslator):
    """Groups models by their folder (staging, intermediate, marts). Sources map to the
    dlt assets through `meta.dagster.asset_key` in the sources YAML."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        return super().get_group_name(dbt_resource_props)


TRANSLATOR = LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_build_args(as_of: str | None) -> list[str]:
    """Unit tests check the SQL, not the data: they run in the test suite and CI
    (tests/e2e/test_as_of.py), not in production builds, where an `--as-of` var would
    override their fixed inputs and fail them."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if as_of:
        args += ["--vars", json.dumps({"as_of_date": as_of})]
    return args


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    pool=WAREHOUSE_POOL,
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """`dbt build`: models in dependency order, each followed by its tests."""
    yield from dbt.cli(dbt_build_args(warehouse.as_of_date()), context=context).stream()
