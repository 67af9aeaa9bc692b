"""The API sources as Dagster assets: configured only through dlt's providers, loading
through WarehouseResource (a fresh working folder each run, so the look-back must come
back from the warehouse), and a clear failure when a source is not configured."""

from __future__ import annotations

import pytest
from dagster import AssetKey, Failure, materialize
from dagster_dlt import DagsterDltResource
from source_payloads import GOOGLE_SEARCH_PATH, GoogleAdsFake, requests_to
from source_support import assert_no_secret

from orchestration.defs.api_sources import API_ASSETS, API_SOURCES
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource

CONFIG = {
    "CUSTOMER_ID": "123-456-7890",
    "CLINIC_ID": "clinic_a",
    "START_DATE": "2026-01-01",
    "API_VERSION": "v26",
    "CREDENTIALS__DEVELOPER_TOKEN": "dev-SECRET-token",
    "CREDENTIALS__CLIENT_ID": "client-id-123.apps.googleusercontent.com",
    "CREDENTIALS__CLIENT_SECRET": "client-SECRET",
    "CREDENTIALS__REFRESH_TOKEN": "1//refresh-SECRET",
}


@pytest.fixture
def google_config(monkeypatch: pytest.MonkeyPatch, httpserver) -> pytest.MonkeyPatch:
    for key, value in {
        **CONFIG,
        "BASE_URL": httpserver.url_for("/"),
        "TOKEN_URL": httpserver.url_for("/token"),
    }.items():
        monkeypatch.setenv(f"SOURCES__GOOGLE_ADS__{key}", value)
    return monkeypatch


def refresh(warehouse):
    return materialize(
        [API_ASSETS["google_ads"]],
        resources={
            "dlt_resource": DagsterDltResource(),
            "warehouse": WarehouseResource(path=str(warehouse)),
        },
        raise_on_error=False,
    )


def test_each_api_source_is_a_multi_asset_keyed_raw_source_resource_in_the_writer_pool():
    from orchestration.defs.api_sources import api_source_assets

    assert [a.node_def.name for a in api_source_assets] == [f"raw_{name}" for name in API_SOURCES]
    keys = {key for assets in api_source_assets for key in assets.keys}
    assert AssetKey(["raw", "google_ads", "ad_spend"]) in keys
    assert AssetKey(["raw", "meta_ads", "ad_spend"]) in keys
    assert AssetKey(["raw", "leads", "leads"]) in keys
    assert {AssetKey(["raw", "zenoti", e]) for e in ("locations", "appointments")} <= keys
    for assets in api_source_assets:
        (group,) = set(assets.group_names_by_key.values())
        assert group == assets.node_def.name  # raw_<source>
        assert assets.op.pool == WAREHOUSE_POOL


def test_runs_read_their_config_and_resume_the_look_back_from_the_warehouse(
    google_config, httpserver, warehouse, query
):
    google = GoogleAdsFake(httpserver)
    google.fill("2026-01-01", "2026-01-31", ("111", "222"), 12_340_000)

    google_config.setenv("SOURCES__GOOGLE_ADS__TODAY", "2026-01-21")
    first = refresh(warehouse)
    assert first.success
    materialized = {e.asset_key for e in first.get_asset_materialization_events()}
    assert materialized == {AssetKey(["raw", "google_ads", "ad_spend"])}

    google_config.setenv("SOURCES__GOOGLE_ADS__TODAY", "2026-01-31")
    assert refresh(warehouse).success

    queries = [r.get_json()["query"] for r in requests_to(httpserver, GOOGLE_SEARCH_PATH.pattern)]
    assert "BETWEEN '2026-01-01' AND '2026-01-20'" in queries[0]
    # 14-day look-back from the last loaded day, though the run's working folder is new
    assert "BETWEEN '2026-01-07' AND '2026-01-30'" in queries[1]
    assert query(
        "select count(*), count(distinct (campaign_id, date)) from raw_google_ads.ad_spend"
    ) == [(60, 60)]


def test_a_source_that_is_not_configured_fails_naming_what_is_missing(google_config, warehouse):
    google_config.delenv("SOURCES__GOOGLE_ADS__CREDENTIALS__REFRESH_TOKEN")

    result = refresh(warehouse)

    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    assert "google_ads is not configured" in message
    assert "sources.google_ads.credentials" in message
    assert "SOURCES__GOOGLE_ADS__ACCOUNTS" in message
    assert "SOURCES__GOOGLE_ADS__CREDENTIALS__REFRESH_TOKEN" in message
    assert_no_secret(message, [v for k, v in CONFIG.items() if "SECRET" in v])
    with pytest.raises(Failure, match="not configured"):
        from orchestration.defs.api_sources import configured_source

        configured_source("google_ads")


def test_a_source_without_accounts_fails_naming_the_setting(google_config, warehouse):
    google_config.delenv("SOURCES__GOOGLE_ADS__CUSTOMER_ID")

    result = refresh(warehouse)

    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_failure_data.error.message.startswith(
        "dagster._core.definitions.events.Failure: google_ads: set sources.google_ads.accounts "
        "(or sources.google_ads.customer_id and sources.google_ads.clinic_id)"
    )


def test_a_bad_account_list_fails_the_run_not_the_definitions(monkeypatch: pytest.MonkeyPatch):
    from orchestration.defs.api_sources import _api_assets

    for key, value in {
        "GOOGLE_ADS__START_DATE": "2026-01-01",
        **{f"GOOGLE_ADS__{k}": "x" for k in CONFIG if k.startswith("CREDENTIALS__")},
        "META_ADS__START_DATE": "2026-01-01",
        "META_ADS__ACCESS_TOKEN": "x",
        "ZENOTI__START_DATE": "2026-01-01",
        "ZENOTI__API_KEY": "x",
    }.items():
        monkeypatch.setenv(f"SOURCES__{key}", value)
    monkeypatch.setenv("SOURCES__GOOGLE_ADS__ACCOUNTS", '[{"customer_id": "1"}]')
    monkeypatch.setenv("SOURCES__META_ADS__ACCOUNT_ID", "act_1")  # with accounts: refused
    monkeypatch.setenv("SOURCES__META_ADS__ACCOUNTS", '[{"account_id": "2", "clinic_id": "a"}]')
    monkeypatch.setenv(
        "SOURCES__ZENOTI__CENTERS", '[{"center_id": "c", "clinic_id": "a"}, {"center_id": "c"}]'
    )

    for name in ("google_ads", "meta_ads", "zenoti"):
        assert _api_assets(API_SOURCES[name]).keys  # the code location still loads
        with pytest.raises(Failure, match=f"^{name}: "):
            from orchestration.defs.api_sources import configured_source

            configured_source(name)
