"""Which sources the refresh job loads is configuration (PROVIDER_VIEW_SOURCES), and every
API source's staging reads the dlt asset that loads it."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
import yaml
from dagster import AssetKey

from ingestion import registry
from orchestration import settings
from orchestration.defs.api_sources import API_SOURCES, EnabledSourcesSelection


@pytest.fixture(scope="module")
def graph(dbt_manifest):
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def _ancestors(graph, key: AssetKey) -> set[AssetKey]:
    """Every asset `key` reads, directly or through a base model."""
    seen, todo = set(), [key]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys - seen:
            seen.add(parent)
            todo.append(parent)
    return seen


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
    assert set(settings.API_SOURCES) == set(API_SOURCES) >= {"zenoti", "google_ads"}
    for source, spec in API_SOURCES.items():
        assert spec.entities, source
        for table in spec.entities:
            raw = AssetKey(["raw", source, table])
            staged = AssetKey(["staging", f"stg_{source}__{table}"])
            assert graph.get(raw).is_materializable, raw
            assert graph.get(raw).group_name == f"raw_{source}"
            assert raw in _ancestors(graph, staged), f"{staged} is not wired to {raw}"
            assert graph.get(raw).pools == {"duckdb_warehouse"}


def test_dbt_stages_each_entity_from_the_sources_the_registry_declares():
    """dbt_project.yml's `canonical_sources` (read by the unions and the location and
    reference macros, so `dbt build` runs alone) is the registry's, entity by entity."""
    project = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    declared = project["vars"]["canonical_sources"]
    assert declared == registry.carriers()
    assert declared["appointments"][:2] == ["files", "zenoti"]
    assert declared["ad_spend"] == ["files", "google_ads", "meta_ads"]
    for entity, sources in declared.items():
        for source in sources:
            model = (
                settings.DBT_PROJECT_DIR
                / "models"
                / "staging"
                / source
                / f"stg_{source}__{entity}.sql"
            )
            assert model.exists(), model
    for name, spec in registry.API_SOURCES.items():
        quarantine = (
            settings.DBT_PROJECT_DIR / "models" / "staging" / name / f"stg_{name}__quarantine.sql"
        )
        assert quarantine.exists() == spec.quarantines, name


def test_checks_that_read_a_left_out_source_are_left_out_too(graph, monkeypatch):
    def checks(sources: str) -> set[tuple[str, str]]:
        monkeypatch.setenv(settings.SOURCES_ENV, sources)
        return {
            (key.asset_key.path[-1], key.name)
            for key in EnabledSourcesSelection().resolve_checks(graph)
        }

    with_files, without_files, files_only = (
        checks("files,zenoti"),
        checks("zenoti"),
        checks("files"),
    )
    # a check whose extra inputs are raw_files tables (row accounting reads the loader's
    # record) cannot run without the file source; dbt's tests on the same models still do
    files_accounting = ("stg_files__appointments", "row_accounting")
    assert files_accounting in with_files
    assert files_accounting not in without_files
    assert ("stg_files__appointments", "unique_stg_files__appointments_appointment_id") in (
        without_files
    )
    # an API source's own checks read its raw tables: they run with it, and only with it
    for name in ("row_accounting", "freshness", "gx_suite"):
        assert ("stg_zenoti__appointments", name) in without_files
        assert ("stg_zenoti__appointments", name) not in files_only


def test_a_run_leaves_out_the_staging_of_sources_never_loaded_and_their_tests(graph):
    keys = EnabledSourcesSelection(("files",), ("zenoti", "leads")).resolve(graph)
    checks = EnabledSourcesSelection(("files",), ("zenoti", "leads")).resolve_checks(graph)
    staged = {key.path[-1] for key in keys if key.path[0] == "staging"}
    assert not {m for m in staged if m.startswith(("stg_zenoti__", "base_zenoti__", "stg_leads__"))}
    # the other sources' staging, the unions that read whichever exist, and their tests stay
    assert {
        "stg_files__appointments",
        "base_files__appointments",
        "stg_boulevard__appointments",
    } <= staged
    assert AssetKey(["intermediate", "int_appointments_unioned"]) in keys
    checked = {key.asset_key.path[-1] for key in checks}
    assert "stg_boulevard__appointments" in checked and "int_leads_unioned" in checked
    assert not {m for m in checked if m.startswith(("stg_zenoti__", "stg_leads__"))}


def test_never_loaded_names_the_sources_of_which_the_warehouse_holds_nothing(tmp_path):
    from orchestration.defs.api_sources import never_loaded

    warehouse = tmp_path / "warehouse.duckdb"
    others = tuple(s for s in API_SOURCES if s != "zenoti")
    # no warehouse yet: every source the run does not load
    assert never_loaded(str(warehouse), ("files", "zenoti")) == others
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw_google_ads")
        con.execute("create table raw_google_ads.ad_spend (spend_date date)")
        con.execute("create schema raw_meta_ads")  # a schema without tables holds nothing
        con.execute("create schema staging")
        con.execute("create table staging.stg_boulevard__services (service_id text)")
        con.execute("create table staging.stg_files__services (service_id text)")
    assert never_loaded(str(warehouse), ("files",)) == ("meta_ads", "zenoti", "leads")
    assert never_loaded(str(warehouse), ("files", "zenoti", "leads", "meta_ads")) == ()


def test_the_registry_and_settings_import_without_dagster():
    """ingestion/ knows no Dagster: settings (and the CLI's choices) read the registry."""
    probe = (
        "import sys; from orchestration import settings; "
        "assert 'dagster' not in sys.modules, 'dagster imported'; print(settings.API_SOURCES)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(tuple(registry.API_SOURCES))
    assert "boulevard" in registry.API_SOURCES
