"""The Dagster code location: one connected graph from dlt assets to dbt models."""

from __future__ import annotations

import pytest
from dagster import AssetKey

from ingestion.files import ENTITIES


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs

    return defs


def test_every_staging_model_reads_the_dlt_asset_that_loads_its_table(defs):
    graph = defs.resolve_asset_graph()
    for entity in [*ENTITIES, "quarantine"]:
        raw = AssetKey(["raw", "files", entity])
        staged = AssetKey(["staging", f"stg_files__{entity}"])
        # entities with references are typed in base_files__<entity> first
        base = AssetKey(["staging", f"base_files__{entity}"])
        reader = base if graph.has(base) else staged
        assert graph.get(raw).is_materializable, f"{raw} is not a dlt asset"
        assert raw in graph.get(reader).parent_keys, f"{reader} is not wired to {raw}"
        assert reader == staged or reader in graph.get(staged).parent_keys


def test_dbt_tests_are_asset_checks_on_their_models(defs):
    graph = defs.resolve_asset_graph()
    checks = {c.asset_key: c.name for c in graph.asset_check_keys}
    assert checks[AssetKey(["staging", "stg_files__appointments"])]
    names = {c.name for c in graph.asset_check_keys}
    assert "unique_stg_files__appointments_appointment_id" in names


def test_writers_share_the_one_slot_pool_and_the_schedule_runs_everything(defs):
    graph = defs.resolve_asset_graph()
    raw = graph.get(AssetKey(["raw", "files", "appointments"]))
    staged = graph.get(AssetKey(["staging", "stg_files__appointments"]))
    assert raw.pools == staged.pools == {"duckdb_warehouse"}

    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.job_name == "refresh"
    job_keys = defs.resolve_job_def("refresh").asset_layer.selected_asset_keys
    assert AssetKey(["raw", "files", "invoice_lines"]) in job_keys
    assert AssetKey(["staging", "stg_files__invoice_lines"]) in job_keys


def test_the_dbt_resource_skips_only_what_these_assets_do_not_use(defs):
    """The two dagster-dbt members it overrides still exist (an upgrade that renames them
    would silently bring back their cost), and the version it reports is dbt's own."""
    from dagster_dbt import DbtCliResource
    from dbt.version import __version__

    dbt = defs.resources["dbt"]
    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(vars(DbtCliResource))
    assert str(dbt._cli_version) == __version__
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
