"""The CLI hands what a run reads to the assets as resource config and job selection, not
through the environment (issue 12); the environment stays the default of runs started
without it (the schedule, the sensor, the UI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.cli.commands import RunSettings, _configure
from orchestration.defs.api_sources import EnabledSourcesSelection
from orchestration.defs.resources import FRESHNESS_LAYERS, WarehouseResource

RUN_ENV = (
    settings.WAREHOUSE_ENV,
    settings.INPUTS_ENV,
    settings.AS_OF_ENV,
    settings.MAP_ENV,
    settings.SOURCES_ENV,
)


@pytest.fixture
def elsewhere(monkeypatch, tmp_path) -> Path:
    """The environment names other settings than the CLI's."""
    monkeypatch.setenv(settings.WAREHOUSE_ENV, str(tmp_path / "env.duckdb"))
    monkeypatch.setenv(settings.INPUTS_ENV, "/env/inputs")
    monkeypatch.setenv(settings.AS_OF_ENV, "2020-01-31")
    monkeypatch.setenv(settings.MAP_ENV, "/env/MAP.toml")
    monkeypatch.setenv(settings.SOURCES_ENV, "zenoti")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    return tmp_path


def test_the_cli_configures_a_run_without_writing_the_environment(elsewhere):
    before = {name: os.environ[name] for name in RUN_ENV}
    run = _configure(str(elsewhere / "cli.duckdb"), str(elsewhere / "in"), None, ("files",))
    assert {name: os.environ[name] for name in RUN_ENV} == before

    config = run.run_config("fp", "INFO")["resources"]["warehouse"]["config"]
    warehouse = WarehouseResource(**config)
    assert warehouse.published_path() == str(elsewhere / "cli.duckdb")
    assert warehouse.inputs_url() == str(elsewhere / "in")
    # none given to the CLI means none, not the environment's
    assert warehouse.map_path() == "" and warehouse.as_of_date() is None
    assert warehouse.input_fingerprint == "fp"


def test_a_run_without_config_reads_the_environment(elsewhere):
    warehouse = WarehouseResource()
    assert warehouse.published_path() == str(elsewhere / "env.duckdb")
    assert warehouse.inputs_url() == "/env/inputs"
    assert (warehouse.map_path(), warehouse.as_of_date()) == ("/env/MAP.toml", "2020-01-31")


@pytest.fixture(scope="module")
def graph(dbt_manifest):
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def test_the_cli_sources_select_the_raw_assets_whatever_the_environment(graph, elsewhere):
    raw = {
        k.path[1] for k in EnabledSourcesSelection(("files",)).resolve(graph) if k.path[0] == "raw"
    }
    assert raw == {"files"}
    raw = {k.path[1] for k in EnabledSourcesSelection().resolve(graph) if k.path[0] == "raw"}
    assert raw == {"zenoti"}  # without the CLI: PROVIDER_VIEW_SOURCES


def test_the_layers_a_skip_reaffirms_are_the_ones_the_freshness_policy_watches(graph):
    watched = {k for k in graph.materializable_asset_keys if k.path[0] in FRESHNESS_LAYERS}
    with_policy = {
        k for k in graph.materializable_asset_keys if graph.get(k).freshness_policy_or_from_metadata
    }
    assert watched == with_policy
    assert len(with_policy) > 20


def test_postgres_runs_are_never_skipped(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.TARGET_ENV, "postgres")
    run = RunSettings(tmp_path / "w.duckdb", str(tmp_path), ("files",), None)
    assert run.fingerprint() is None  # the record lives in the DuckDB file a run publishes
