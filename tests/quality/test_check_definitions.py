"""The checks sit on the assets they guard, with the severity behaviour promised: a
blocking check that fails with ERROR stops what depends on its asset."""

from __future__ import annotations

import pytest
from bad_inputs.corpus import header, row
from dagster import AssetKey, DagsterEventType, DagsterInstance

from ingestion import registry
from ingestion.files import ENTITIES
from orchestration.quality.freshness import SOURCES


@pytest.fixture(scope="module")
def defs(dbt_manifest):
    from orchestration.definitions import defs

    return defs


def _checks(defs) -> dict:
    graph = defs.resolve_asset_graph()
    return {(k.asset_key, k.name): graph.get_check_spec(k) for k in graph.asset_check_keys}


def test_each_check_is_on_the_asset_it_guards(defs):
    checks = _checks(defs)
    for entity in ENTITIES:
        raw = AssetKey(["raw", "files", entity])
        staged = AssetKey(["staging", f"stg_files__{entity}"])
        assert checks[(raw, "gx_suite")].blocking
        assert checks[(raw, "quarantine_share")].blocking
        assert checks[(staged, "gx_suite")].blocking
        assert checks[(staged, "row_accounting")].blocking
        assert ((staged, "freshness") in checks) == (entity in SOURCES)
    assert not checks[(AssetKey(["staging", "stg_files__ad_spend"]), "freshness")].blocking
    # every API source's staged tables: contract (GX), row accounting, freshness when dated,
    # each also reading the source's raw table (so it leaves the job with the source)
    graph = defs.resolve_asset_graph()
    for name, spec in registry.API_SOURCES.items():
        for entity in spec.entities:
            staged = AssetKey(["staging", f"stg_{name}__{entity}"])
            raw = AssetKey(["raw", name, entity])
            dated = {"freshness"} if entity in SOURCES else set()
            expected = {"gx_suite", "row_accounting"} | dated
            for check in expected:
                assert checks[(staged, check)].blocking == (check != "freshness"), (staged, check)
                key = next(
                    k for k in graph.asset_check_keys if (k.asset_key, k.name) == (staged, check)
                )
                assert raw in graph.get(key).parent_entity_keys, (staged, check)
    # the reconciliations are dbt tests, checks on the marts they guard
    for mart, name in [
        ("campaign_performance", "campaign_leads_reconcile"),
        ("fct_consultations", "consult_slots_reconcile"),
        ("provider_performance", "provider_ticket_revenue_reconciles"),
        ("fct_invoice_lines", "net_revenue_reconciles"),
    ]:
        assert (AssetKey(["marts", mart]), name) in checks
    models = [
        k
        for k in defs.resolve_asset_graph().get_all_asset_keys()
        if k.path[0] in ("intermediate", "marts")
    ]
    assert models and all((k, "no_personal_data") in checks for k in models)


def test_checks_read_in_the_writers_pool_and_run_in_the_refresh_job(defs):
    from orchestration.defs.checks import quality_checks

    for checks_def in quality_checks:
        assert checks_def.node_def.pool == "duckdb_warehouse", checks_def.node_def.name
    job_checks = defs.resolve_job_def("refresh").asset_layer.asset_graph.asset_check_keys
    assert {k.name for k in job_checks} >= {
        "gx_suite",
        "quarantine_share",
        "row_accounting",
        "freshness",
        "no_personal_data",
        "net_revenue_reconciles",
    }


def test_a_blocking_error_stops_the_dbt_build(defs, tmp_path, monkeypatch):
    """Half the services quarantined: quarantine_share fails with ERROR, so dbt (which
    depends on raw/files/services) does not run and the last marts stay as they were."""
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [row("services", f"_{i}") for i in range(4)]
    rows += [row("services", f"_x{i}", category="aesthetics") for i in range(4)]
    (folder / "services.csv").write_text("\n".join([header("services"), *rows]) + "\n")
    monkeypatch.setenv("PROVIDER_VIEW_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("PROVIDER_VIEW_INPUTS", str(folder))
    monkeypatch.setenv("PROVIDER_VIEW_SOURCES", "files")

    result = defs.resolve_job_def("refresh").execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )

    assert not result.success
    evaluations = {
        (e.asset_key.path[-1], e.check_name): e
        for e in (
            ev.event_specific_data
            for ev in result.all_events
            if ev.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
        )
    }
    services = evaluations[("services", "quarantine_share")]
    assert (services.passed, services.severity.value) == (False, "ERROR")
    assert evaluations[("appointments", "quarantine_share")].passed
    started = {e.step_key for e in result.all_events if e.event_type == DagsterEventType.STEP_START}
    assert "raw_files" in started and "dbt_models" not in started
