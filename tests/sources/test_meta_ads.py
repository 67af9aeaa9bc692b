"""meta_ads against a local Insights endpoint (no network)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from source_payloads import META_PATH, MetaInsightsFake, json_response, requests_to
from source_support import assert_no_secret, missing_canonical_columns, source_error

from ingestion.meta_ads import meta_ads_source
from ingestion.meta_ads.insights import CAMPAIGN_STATUSES, FIELDS

TOKEN = "EAAB-meta-SECRET-token"
TABLE = "raw_meta_ads.ad_spend"


@pytest.fixture(autouse=True)
def token_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__META_ADS__ACCESS_TOKEN", TOKEN)


@pytest.fixture
def meta(httpserver) -> MetaInsightsFake:
    fake = MetaInsightsFake(httpserver)
    fake.fill("2026-01-01", "2026-03-31", ("601", "602"), "7.25")
    return fake


@pytest.fixture
def run(httpserver, make_pipeline, sleeps):
    pipeline = make_pipeline("meta_ads")

    def run_once(today: str, **options):
        source = meta_ads_source(
            account_id="act_998877",
            clinic_id="clinic_a",
            start_date="2026-01-01",
            api_version="v24.0",
            base_url=httpserver.url_for("/"),
            page_size=25,
            today=today,
            sleep=sleeps.append,
            **options,
        )
        return pipeline.run(source)

    return run_once


def time_ranges(httpserver) -> list[tuple[str, str, str | None]]:
    return [
        (*json.loads(r.args["time_range"]).values(), r.args.get("after"))
        for r in requests_to(httpserver, META_PATH.pattern)
    ]


def test_first_run_backfills_in_slices_following_cursors(run, meta, httpserver, query):
    run(today="2026-03-05")

    assert missing_canonical_columns(query, "raw_meta_ads", "ad_spend") == set()
    calls = requests_to(httpserver, META_PATH.pattern)
    assert {c.path for c in calls} == {"/v24.0/act_998877/insights"}
    first = calls[0]
    assert first.args.to_dict() == {
        "level": "campaign",
        "time_increment": "1",
        "fields": FIELDS,
        "time_range": '{"since":"2026-01-01","until":"2026-01-31"}',
        "filtering": json.dumps(
            [
                {
                    "field": "campaign.effective_status",
                    "operator": "IN",
                    "value": list(CAMPAIGN_STATUSES),
                }
            ],
            separators=(",", ":"),
        ),
        "limit": "25",
    }
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert all(TOKEN not in c.full_path for c in calls)
    # 31-day slices up to yesterday; 62 rows in a slice = 3 pages of 25.
    assert time_ranges(httpserver) == [
        ("2026-01-01", "2026-01-31", None),
        ("2026-01-01", "2026-01-31", "cursor-25"),
        ("2026-01-01", "2026-01-31", "cursor-50"),
        ("2026-02-01", "2026-03-03", None),
        ("2026-02-01", "2026-03-03", "cursor-25"),
        ("2026-02-01", "2026-03-03", "cursor-50"),
        ("2026-03-04", "2026-03-04", None),
    ]
    assert query(f"select count(*), count(distinct (campaign_id, date)) from {TABLE}") == [
        (126, 126)
    ]
    assert query(
        f"select platform, clinic_id, account_id, campaign_name, spend, impressions, clicks, "
        f"currency from {TABLE} where campaign_id = '601' and date = '2026-02-14'"
    ) == [("meta_ads", "clinic_a", "998877", "Meta 601", Decimal("7.25"), 200, 5, "USD")]


def test_next_run_rereads_28_days_and_restatements_replace(run, meta, httpserver, query):
    run(today="2026-03-05")
    meta.spend[("2026-02-20", "602")] = "31.50"
    httpserver.clear_log()

    run(today="2026-03-10")

    assert {(first, last) for first, last, _ in time_ranges(httpserver)} == {
        ("2026-02-05", "2026-03-07"),  # 28 days back from 03-04, the last loaded day
        ("2026-03-08", "2026-03-09"),
    }
    assert query(f"select count(*), count(distinct (campaign_id, date)) from {TABLE}") == [
        (136, 136)
    ]
    assert query(
        f"select spend from {TABLE} where campaign_id = '602' and date = '2026-02-20'"
    ) == [(Decimal("31.50"),)]


def test_spend_of_deleted_and_archived_campaigns_is_loaded(run, meta, query):
    meta.deleted = {"601": "DELETED", "602": "ARCHIVED"}  # both deleted inside the look-back

    run(today="2026-01-03")

    assert query(
        f"select campaign_id, count(*), sum(spend) from {TABLE} group by 1 order by 1"
    ) == [
        ("601", 2, Decimal("14.50")),
        ("602", 2, Decimal("14.50")),
    ]


# A BUC throttle as Meta sends it: HTTP 400, error code 80000, and the usage header keyed
# by the ad account with estimated_time_to_regain_access in minutes (Marketing API "Rate
# Limiting", developers.facebook.com/docs/marketing-api/overview/rate-limiting; recorded
# headers in facebook-business-sdk users' tests).
THROTTLE = {
    "error": {
        "message": "There have been too many calls from this ad-account. Wait a bit and try again.",
        "type": "OAuthException",
        "code": 80000,
        "error_subcode": 2446079,
        "fbtrace_id": "AbCdEfGh123",
    }
}


def usage_header(minutes: int) -> dict:
    usage = {
        "998877": [
            {
                "type": "ads_insights",
                "call_count": 100,
                "total_cputime": 34,
                "total_time": 41,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    return {"X-Business-Use-Case-Usage": json.dumps(usage)}


def test_a_throttle_waits_the_time_meta_estimates(run, meta, httpserver, sleeps, query):
    httpserver.expect_oneshot_request(META_PATH).respond_with_response(
        json_response(THROTTLE, 400, usage_header(4))
    )

    run(today="2026-01-03")

    assert sleeps == [240.0]  # 4 minutes, not a few seconds of back-off
    assert query(f"select count(*) from {TABLE}") == [(4,)]


def test_a_throttle_longer_than_the_bound_waits_the_bound_then_fails_naming_it(
    run, httpserver, sleeps
):
    httpserver.expect_request(META_PATH).respond_with_response(
        json_response(THROTTLE, 400, usage_header(45))
    )

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-03", max_attempts=2, max_throttle_wait_seconds=600)

    assert sleeps == [600.0]
    assert str(source_error(failure.value)) == (
        "meta_ads: GET /v24.0/act_998877/insights failed after 2 attempts (HTTP 400: There "
        "have been too many calls from this ad-account. Wait a bit and try again.)"
    )


@pytest.mark.parametrize(
    ("status", "body", "headers", "delay"),
    [
        (429, {"error": {"message": "Too many calls"}}, {"Retry-After": "3"}, 3.0),
        (400, {"error": {"message": "User request limit reached", "code": 17}}, {}, 1.0),
        (500, {"error": {"message": "An unknown error occurred", "code": 1}}, {}, 1.0),
    ],
    ids=["429-retry-after", "meta-throttle-code-17", "500"],
)
def test_throttling_and_server_errors_are_retried(
    run, meta, httpserver, sleeps, query, debug_logs, status, body, headers, delay
):
    httpserver.expect_oneshot_request(META_PATH).respond_with_response(
        json_response(body, status, headers)
    )
    run(today="2026-01-03")

    assert sleeps == [delay]
    assert query(f"select count(*) from {TABLE}") == [(4,)]
    assert_no_secret(debug_logs.text, [TOKEN])


def test_expired_token_fails_fast_with_what_to_do(run, httpserver, sleeps, debug_logs):
    httpserver.expect_request(META_PATH).respond_with_json(
        {
            "error": {
                "message": "Error validating access token: Session has expired",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
            }
        },
        status=400,
    )

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-03")

    message = str(source_error(failure.value))
    assert message.startswith("meta_ads: the access token was rejected (code 190: Error validating")
    assert message.endswith("and set sources.meta_ads.access_token")
    assert sleeps == [] and len(httpserver.log) == 1
    assert_no_secret(str(failure.value) + debug_logs.text, [TOKEN])


def test_malformed_page_fails_and_rerun_is_clean(run, meta, httpserver, query):
    run(today="2026-01-06")
    before = query(f"select * from {TABLE} order by all")
    httpserver.expect_oneshot_request(META_PATH).respond_with_json({"data": "not a list"})

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-08")

    assert "an insights page must be an object with a `data` list" in str(
        source_error(failure.value)
    )
    assert query(f"select * from {TABLE} order by all") == before

    run(today="2026-01-08")
    assert query(f"select count(*), count(distinct (campaign_id, date)) from {TABLE}") == [(14, 14)]
