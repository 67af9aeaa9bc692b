"""Many clinics, many ad accounts (issue 14 item 3): each account loads for its own
clinic, the same campaign id in two clinics never collides (ad_spend is keyed by
clinic_id, date, platform, campaign_id: METRICS.md section 1), one run loads every
account, and a failing account does not stop the others."""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from dagster import AssetKey, materialize
from dagster_dlt import DagsterDltResource
from dlt.pipeline.exceptions import PipelineStepFailed
from source_payloads import (
    GOOGLE_SEARCH_PATH,
    GoogleAdsFake,
    MetaInsightsFake,
    json_response,
    requests_to,
)
from source_support import source_error

from ingestion.google_ads import GoogleAdsCredentials, google_ads_source
from ingestion.meta_ads import meta_ads_source
from ingestion.zenoti import zenoti_source
from orchestration import settings
from orchestration.defs.api_sources import API_ASSETS
from orchestration.defs.resources import WarehouseResource

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
CREDENTIALS = {
    "developer_token": "dev-token",
    "client_id": "client.apps.googleusercontent.com",
    "client_secret": "client-secret",
    "refresh_token": "1//refresh-token",
}
GOOGLE_ACCOUNTS = [
    {"customer_id": "111-111-1111", "clinic_id": "clinic_a"},
    {"customer_id": "222-222-2222", "clinic_id": "clinic_a"},
    {"customer_id": "333-333-3333", "clinic_id": "clinic_b"},
    {"customer_id": "444-444-4444", "clinic_id": "clinic_b"},
]
META_ACCOUNTS = [
    {"account_id": "act_31", "clinic_id": "clinic_a"},
    {"account_id": "act_32", "clinic_id": "clinic_a"},
    {"account_id": "act_41", "clinic_id": "clinic_b"},
    {"account_id": "act_42", "clinic_id": "clinic_b"},
]


def google(httpserver, accounts, **options):
    return google_ads_source(
        accounts=accounts,
        start_date="2026-01-01",
        credentials=GoogleAdsCredentials(**CREDENTIALS),
        base_url=httpserver.url_for("/"),
        token_url=httpserver.url_for("/token"),
        today="2026-01-04",
        **options,
    )


def meta(httpserver, accounts, **options):
    return meta_ads_source(
        accounts=accounts,
        start_date="2026-01-01",
        access_token="meta-token",
        base_url=httpserver.url_for("/"),
        today="2026-01-04",
        **options,
    )


def dbt_build(warehouse: Path, tmp_path: Path, select: str) -> subprocess.CompletedProcess:
    dbt = settings.dbt_executable()
    return subprocess.run(
        [str(dbt), "build", "--select", select, "--indirect-selection", "cautious", "--project-dir", str(DBT_PROJECT),
         "--profiles-dir", str(DBT_PROJECT), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env={**os.environ, "PROVIDER_VIEW_WAREHOUSE": str(warehouse), "PROVIDER_VIEW_TARGET": "duckdb"},
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip


def test_two_clinics_with_the_same_campaign_ids_never_collide(
    httpserver, make_pipeline, raw_loader, warehouse, query, tmp_path
):
    # two accounts per platform, one per clinic, all running a campaign with id "555"
    GoogleAdsFake(httpserver).fill("2026-01-01", "2026-01-03", ("555",), 10_000_000)
    MetaInsightsFake(httpserver).fill("2026-01-01", "2026-01-03", ("555",), "4.00")
    make_pipeline("google_ads").run(google(httpserver, GOOGLE_ACCOUNTS[::2]))
    make_pipeline("meta_ads").run(meta(httpserver, META_ACCOUNTS[::2]))
    # and the clinics' own spend files name a shared campaign id too
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "ad_spend.csv").write_text(
        "date,platform,campaign_id,clinic_id,account_id,campaign_name,spend,impressions,"
        "clicks,currency\n"
        "2026-01-02,other_paid,radio-1,clinic_a,station,Radio,50.00,0,0,USD\n"
        "2026-01-02,other_paid,radio-1,clinic_b,station,Radio,70.00,0,0,USD\n",
        encoding="utf-8",
    )
    raw_loader.load(exports)

    accounts = {
        p: len(requests_to(httpserver, path))
        for p, path in (
            ("google_ads", GOOGLE_SEARCH_PATH.pattern),
            ("meta_ads", r"/act_\d+/insights$"),
        )
    }
    assert accounts == {"google_ads": 2, "meta_ads": 2}  # one request per account, one run
    build = dbt_build(warehouse, tmp_path, "+int_ad_spend_unioned")

    assert build.returncode == 0, build.stdout[-3000:]  # the key tests pass
    assert query(
        "select clinic_id, platform, campaign_id, count(*), count(distinct account_id), "
        "sum(spend) from intermediate.int_ad_spend_unioned group by all order by all"
    ) == [
        ("clinic_a", "google_ads", "555", 3, 1, Decimal("30.00")),
        ("clinic_a", "meta_ads", "555", 3, 1, Decimal("12.00")),
        ("clinic_a", "other_paid", "radio-1", 1, 1, Decimal("50.00")),
        ("clinic_b", "google_ads", "555", 3, 1, Decimal("30.00")),
        ("clinic_b", "meta_ads", "555", 3, 1, Decimal("12.00")),
        ("clinic_b", "other_paid", "radio-1", 1, 1, Decimal("70.00")),
    ]


def test_an_account_failing_alone_fails_the_source_run_by_default(httpserver, make_pipeline):
    GoogleAdsFake(httpserver)
    httpserver.expect_oneshot_request(
        "/v26/customers/3333333333/googleAds:searchStream"
    ).respond_with_json({"error": {"code": 403, "message": "denied"}}, status=403)

    with pytest.raises(PipelineStepFailed) as failure:
        make_pipeline("google_ads").run(google(httpserver, GOOGLE_ACCOUNTS))

    assert "refused access to customer 3333333333" in str(source_error(failure.value))


@pytest.mark.parametrize(
    ("accounts", "message"),
    [
        (
            [{"customer_id": "111-111-1111"}],
            "google_ads: account 1 of sources.google_ads.accounts needs `customer_id` and "
            "`clinic_id`",
        ),
        (
            [{"customer_id": "111-111-1111", "clinic_id": "a"}, {"customer_id": "1111111111",
                                                                  "clinic_id": "b"}],
            "google_ads: account 1111111111 is listed twice in sources.google_ads.accounts",
        ),
        (None, "google_ads: set sources.google_ads.accounts (or sources.google_ads.customer_id "
               "and sources.google_ads.clinic_id)"),
    ],
)  # fmt: skip
def test_an_unusable_account_list_is_one_line_naming_the_setting(httpserver, accounts, message):
    with pytest.raises(Exception) as failure:
        google(httpserver, accounts)

    assert str(source_error(failure.value)) == message


def test_the_single_account_settings_of_older_configs_still_work(httpserver, make_pipeline, query):
    GoogleAdsFake(httpserver).fill("2026-01-01", "2026-01-03", ("555",), 10_000_000)
    source = google_ads_source(
        customer_id="123-456-7890",
        clinic_id="clinic_a",
        start_date="2026-01-01",
        credentials=GoogleAdsCredentials(**CREDENTIALS),
        base_url=httpserver.url_for("/"),
        token_url=httpserver.url_for("/token"),
        today="2026-01-04",
    )
    make_pipeline("google_ads").run(source)

    assert query("select distinct clinic_id, account_id from raw_google_ads.ad_spend") == [
        ("clinic_a", "1234567890")
    ]


def test_one_dagster_run_loads_every_account_and_a_failing_one_fails_alone(
    httpserver, warehouse, query, monkeypatch
):
    fake = GoogleAdsFake(httpserver)
    fake.fill("2026-01-01", "2026-01-03", ("555",), 10_000_000)
    httpserver.expect_oneshot_request(
        "/v26/customers/3333333333/googleAds:searchStream"
    ).respond_with_response(
        json_response([{"error": {"code": 403, "message": "The caller does not have permission",
                                  "status": "PERMISSION_DENIED"}}], 403)
    )  # fmt: skip
    config = {
        "ACCOUNTS": json.dumps(GOOGLE_ACCOUNTS),
        "START_DATE": "2026-01-01",
        "TODAY": "2026-01-04",
        "BASE_URL": httpserver.url_for("/"),
        "TOKEN_URL": httpserver.url_for("/token"),
        **{f"CREDENTIALS__{k.upper()}": v for k, v in CREDENTIALS.items()},
    }
    for key, value in config.items():
        monkeypatch.setenv(f"SOURCES__GOOGLE_ADS__{key}", value)

    def refresh():
        return materialize(
            [API_ASSETS["google_ads"]],
            resources={
                "dlt_resource": DagsterDltResource(),
                "warehouse": WarehouseResource(path=str(warehouse)),
            },
            raise_on_error=False,
        )

    first = refresh()

    assert not first.success
    (failure,) = [e for e in first.all_events if e.is_step_failure]
    assert failure.step_failure_data.error.message.startswith(
        "dagster._core.definitions.events.Failure: google_ads: 1 account(s) failed, the others "
        "loaded: 3333333333 (clinic_b): google_ads: the Google Ads API refused access to "
        "customer 3333333333"
    )
    assert {e.asset_key for e in first.get_asset_materialization_events()} == {
        AssetKey(["raw", "google_ads", "ad_spend"])
    }
    assert query(
        "select clinic_id, account_id, count(*) from raw_google_ads.ad_spend group by all "
        "order by all"
    ) == [
        ("clinic_a", "1111111111", 3),
        ("clinic_a", "2222222222", 3),
        ("clinic_b", "4444444444", 3),
    ]

    httpserver.clear_log()
    assert refresh().success  # the account works again: it backfills, the others re-read
    queries = {
        r.path.split("/")[3]: r.get_json()["query"]
        for r in requests_to(httpserver, GOOGLE_SEARCH_PATH.pattern)
    }
    assert "BETWEEN '2026-01-01' AND '2026-01-03'" in queries["3333333333"]
    assert query("select count(*) from raw_google_ads.ad_spend") == [(12,)]


def test_zenoti_centers_each_belong_to_their_clinic(httpserver, make_pipeline, query, monkeypatch):
    monkeypatch.setenv("SOURCES__ZENOTI__API_KEY", "zenoti-api-key")
    httpserver.expect_request("/v1/centers").respond_with_json(
        {
            "centers": [
                {"id": "c-north", "code": "N", "name": "North"},
                {"id": "c-south", "code": "S", "name": "South"},
                {"id": "c-other", "code": "O", "name": "Not ours"},
            ]
        }
    )
    source = zenoti_source(
        start_date="2026-01-01",
        centers=[
            {"center_id": "c-north", "clinic_id": "clinic_a", "timezone": "America/Denver"},
            {"center_id": "c-south", "clinic_id": "clinic_b", "timezone": "America/Chicago"},
        ],
        base_url=httpserver.url_for("/"),
        calls_per_minute=0,
        today="2026-01-04",
    )

    make_pipeline("zenoti").run(source.with_resources("locations"))

    assert query(
        "select location_id, clinic_id, timezone from raw_zenoti.locations order by 1"
    ) == [("c-north", "clinic_a", "America/Denver"), ("c-south", "clinic_b", "America/Chicago")]


def test_zenoti_without_centers_or_clinic_is_one_line_naming_the_setting(httpserver):
    with pytest.raises(Exception) as failure:
        zenoti_source(start_date="2026-01-01", api_key="k", base_url=httpserver.url_for("/"))

    assert str(source_error(failure.value)) == (
        "zenoti: set sources.zenoti.centers (or sources.zenoti.clinic_id for one clinic)"
    )
