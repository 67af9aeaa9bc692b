"""Which sources the refresh job loads is configuration (PROVIDER_VIEW_SOURCES), and every
API source's staging reads the dlt asset that loads it."""

from __future__ import annotations

import pytest
from dagster import AssetKey

from orchestration import settings
from orchestration.defs.api_sources import API_SOURCES, EnabledSourcesSelection


@pytest.fixture(scope="module")
def graph(dbt_manifest):
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def _raw_sources(keys) -> set[str]:
    return {key.path[1] for key in keys if key.path[0] == "raw"}


def test_by_default_only_the_file_source_runs_and_dbt_builds_every_model(graph, monkeypatch):
    monkeypatch.delenv(settings.SOURCES_ENV, raising=False)
    keys = EnabledSourcesSelection().resolve(graph)
    assert _raw_sources(keys) == {"files"}
    # staging of the sources not loaded still builds (empty), so nothing downstream skips
    assert AssetKey(["staging", "stg_zenoti__appointments"]) in keys
    assert AssetKey(["marts", "provider_performance"]) in keys


def test_enabled_sources_are_the_ones_listed(graph, monkeypatch):
    monkeypatch.setenv(settings.SOURCES_ENV, " Zenoti, google_ads ,leads")
    keys = EnabledSourcesSelection().resolve(graph)
    assert _raw_sources(keys) == {"zenoti", "google_ads", "leads"}
    assert AssetKey(["raw", "zenoti", "invoice_lines"]) in keys


def test_an_unknown_source_name_is_refused(monkeypatch):
    monkeypatch.setenv(settings.SOURCES_ENV, "files,bing_ads")
    with pytest.raises(ValueError, match="unknown source.*bing_ads.*known: files, google_ads"):
        settings.enabled_sources()


def test_each_api_staging_model_reads_the_dlt_asset_that_loads_its_table(graph):
    wired = {
        "google_ads": ["ad_spend"],
        "meta_ads": ["ad_spend"],
        "leads": ["leads"],
        "zenoti": [
            "locations",
            "providers",
            "services",
            "patients",
            "appointments",
            "invoice_lines",
        ],
    }
    assert set(wired) == set(API_SOURCES)
    for source, tables in wired.items():
        for table in tables:
            raw = AssetKey(["raw", source, table])
            staged = AssetKey(["staging", f"stg_{source}__{table}"])
            assert graph.get(raw).is_materializable, raw
            assert graph.get(raw).group_name == f"raw_{source}"
            assert raw in graph.get(staged).parent_keys, f"{staged} is not wired to {raw}"
            assert graph.get(raw).pools == {"duckdb_warehouse"}


def test_checks_that_read_a_left_out_source_are_left_out_too(graph, monkeypatch):
    def check_names(sources: str) -> set[str]:
        monkeypatch.setenv(settings.SOURCES_ENV, sources)
        return {key.name for key in EnabledSourcesSelection().resolve_checks(graph)}

    with_files, without_files = check_names("files,zenoti"), check_names("zenoti")
    # a check whose extra inputs are raw_files tables (row accounting reads the loader's
    # record) cannot run without the file source; dbt's tests on the same models still do
    assert "row_accounting" in with_files
    assert "row_accounting" not in without_files
    assert "unique_stg_files__appointments_appointment_id" in without_files
