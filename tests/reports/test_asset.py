"""reports/scorecards: one Dagster asset downstream of the marts, in the refresh job."""

from __future__ import annotations

from dagster import AssetKey, materialize

from orchestration.defs.reports import ReportsConfig, scorecards
from orchestration.defs.resources import WarehouseResource

KEY = AssetKey(["reports", "scorecards"])


def test_the_pages_follow_the_marts_in_the_refresh_job(dbt_manifest):
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    parents = graph.get(KEY).parent_keys
    for mart in ("provider_scorecards", "team_practices", "campaign_provider_performance"):
        assert AssetKey(["marts", mart]) in parents
        assert graph.get(AssetKey(["marts", mart])).is_materializable
    assert KEY in defs.resolve_job_def("refresh").asset_layer.selected_asset_keys
    assert graph.get(KEY).pools == {"duckdb_warehouse"}  # a reader's lock blocks writers


def test_the_asset_renders_into_the_folder_configured(clinic, tmp_path):
    result = materialize(
        [scorecards],
        resources={"warehouse": WarehouseResource(path=str(clinic.warehouse))},
        run_config={
            "ops": {
                "reports__scorecards": {
                    "config": ReportsConfig(out=str(tmp_path), period="trailing_90d").model_dump()
                }
            }
        },
        selection=[KEY],
    )
    assert result.success
    pages = result.asset_materializations_for_node("reports__scorecards")[0].metadata["pages"]
    written = list(tmp_path.glob("clin_demo/providers/*.html"))
    assert pages.value == len(written) + 1
    assert (tmp_path / "clin_demo" / "index.html").is_file()


def test_a_bad_period_fails_the_asset_with_one_line(clinic, tmp_path):
    result = materialize(
        [scorecards],
        resources={"warehouse": WarehouseResource(path=str(clinic.warehouse))},
        run_config={"ops": {"reports__scorecards": {"config": {"period": "2026-Q7"}}}},
        selection=[KEY],
        raise_on_error=False,
    )
    assert not result.success
    failure = result.failure_data_for_node("reports__scorecards")
    assert "use trailing_90d or a quarter like 2026-Q3" in failure.user_failure_data.description
