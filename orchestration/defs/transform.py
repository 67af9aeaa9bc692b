"""dbt assets: every model, seed and snapshot; dbt tests become asset checks."""

import json
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    apply_freshness_policy,
    asset,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration import settings
from orchestration.defs import parse_state
from orchestration.defs.api_sources import STAGING_LEFT_OUT_TAG
from orchestration.defs.build_folders import prune_build_folders
from orchestration.defs.dbt_parse import parse_dbt_project
from orchestration.defs.resources import (
    DAILY_FRESHNESS,
    PUBLISHED_KEY,
    WAREHOUSE_POOL,
    WarehouseResource,
)

dbt_project = DbtProject(
    project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR
)
if dbt_project.preparer.using_dagster_dev():
    # `dagster dev` (make dev) and every process it starts: parse only when the project
    # changed (dagster-dbt's own preparer parses in each of them, a step's process included)
    parse_dbt_project()


class LayerTranslator(DagsterDbtTranslator):
    """Groups models by their folder (staging, intermediate, marts). Sources map to the
    dlt assets through `meta.dagster.asset_key` in the sources YAML."""

    def get_asset_spec(self, manifest, unique_id, project):
        """Marts carry the daily freshness policy, so a missed refresh shows stale."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == "marts":
            return apply_freshness_policy(spec, DAILY_FRESHNESS)
        return spec

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]
        return super().get_group_name(dbt_resource_props)


class LocalDbtCliResource(DbtCliResource):
    """DbtCliResource for the dbt installed beside this interpreter, without two costs
    dagster-dbt pays before each dbt command (~4 s of CPU per run, measured): a `dbt
    --version` process to learn the version this environment already knows, and an
    in-process dbt adapter, which dagster-dbt uses only to fetch column metadata and row
    counts, which these assets do not ask for. Both override private members of
    dagster-dbt 0.29; tests/test_definitions.py fails if an upgrade renames them."""

    @cached_property
    def _cli_version(self):
        if Path(self.dbt_executable).parent != Path(sys.executable).parent:
            return super()._cli_version  # another dbt: ask it
        from dbt.version import __version__
        from packaging import version

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None

    def _get_unique_target_path(self, *, context) -> Path:
        """The build's own target folder, given a saved parse when one fits the file this
        run builds (defs/parse_state.py), which dagster-dbt then leaves as it is, and noted
        with that file so its parse can serve the next build of a file of that name."""
        path = super()._get_unique_target_path(context=context)
        try:
            prune_build_folders(Path(self.project_dir) / path)
        except OSError:  # only disk space is at stake
            logging.getLogger(__name__).warning("old dbt build folders not removed", exc_info=True)
        building = os.environ.get(settings.WAREHOUSE_ENV)  # set by WarehouseResource.dbt_env
        if building and settings.target() == settings.DUCKDB:
            try:
                target, build = settings.DBT_PROJECT_DIR / "target", Path(self.project_dir) / path
                parse_state.seed(target, build, building)
                parse_state.note(build, building)
            except Exception:  # only time is at stake: dbt parses the project itself
                logging.getLogger(__name__).warning("dbt's saved parse not reused", exc_info=True)
        return path


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
    """`dbt build`: models in dependency order, each followed by its tests. When the run
    leaves out the staging of sources never loaded, dbt's `cautious` selection keeps their
    tests out too (by default a test runs when any model or seed it reads is selected)."""
    left_out = context.run.tags.get(STAGING_LEFT_OUT_TAG)
    # the dbt process builds this run's file
    with warehouse.dbt_env(indirect_selection="cautious" if left_out else None):
        invocation = dbt.cli(dbt_build_args(warehouse.as_of_date()), context=context)
    yield from invocation.stream()


@asset(
    key=PUBLISHED_KEY,
    deps=list(dbt_models.keys),
    pool=WAREHOUSE_POOL,
    group_name="warehouse",
    description=(
        "The run's finished warehouse, swapped in for the file readers open (atomic rename;"
        " DuckDB target only). Blocking checks on the marts must pass first."
    ),
)
def published_warehouse(warehouse: WarehouseResource) -> MaterializeResult:
    path = warehouse.publish()
    return MaterializeResult(metadata={"path": MetadataValue.path(path)})
