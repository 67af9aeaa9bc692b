"""google_ads against a local searchStream + token endpoint (no network)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from source_payloads import (
    GOOGLE_ACCESS_TOKEN,
    GOOGLE_SEARCH_PATH,
    GoogleAdsFake,
    json_response,
    requests_to,
)
from source_support import assert_no_secret, missing_canonical_columns, source_error

from ingestion.google_ads import google_ads_source

CREDENTIALS = {
    "developer_token": "dev-SECRET-token",
    "client_id": "client-id-123.apps.googleusercontent.com",
    "client_secret": "client-SECRET",
    "refresh_token": "1//refresh-SECRET",
}
SECRETS = [v for k, v in CREDENTIALS.items() if k != "client_id"] + [GOOGLE_ACCESS_TOKEN]
TABLE = "raw_google_ads.ad_spend"


@pytest.fixture(autouse=True)
def credentials_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials reach the source only through dlt's config providers."""
    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(f"SOURCES__GOOGLE_ADS__CREDENTIALS__{key.upper()}", value)


@pytest.fixture
def google(httpserver) -> GoogleAdsFake:
    fake = GoogleAdsFake(httpserver)
    fake.fill("2026-01-01", "2026-01-31", ("111", "222"), 12_340_000)
    return fake


@pytest.fixture
def run(httpserver, make_pipeline, sleeps):
    pipeline = make_pipeline("google_ads")

    def run_once(today: str, **options):
        source = google_ads_source(
            customer_id="123-456-7890",
            clinic_id="clinic_a",
            start_date="2026-01-01",
            login_customer_id="111-222-3333",
            api_version="v26",
            base_url=httpserver.url_for("/"),
            token_url=httpserver.url_for("/token"),
            today=today,
            sleep=sleeps.append,
            **options,
        )
        return pipeline.run(source)

    return run_once


def gaql_range(request) -> tuple[str, str]:
    query = request.get_json()["query"]
    between = query.split("BETWEEN ")[1]
    return between.split("'")[1], between.split("'")[3]


def test_first_run_backfills_from_start_date_with_the_documented_request(
    run, google, httpserver, query
):
    run(today="2026-01-11")
    assert missing_canonical_columns(query, "raw_google_ads", "ad_spend") == set()

    (token_call,) = requests_to(httpserver, "^/token$")
    assert parse_qs(token_call.get_data(as_text=True)) == {
        "client_id": [CREDENTIALS["client_id"]],
        "client_secret": [CREDENTIALS["client_secret"]],
        "refresh_token": [CREDENTIALS["refresh_token"]],
        "grant_type": ["refresh_token"],
    }
    (search,) = requests_to(httpserver, GOOGLE_SEARCH_PATH.pattern)
    assert search.path == "/v26/customers/1234567890/googleAds:searchStream"
    assert search.headers["Authorization"] == f"Bearer {GOOGLE_ACCESS_TOKEN}"
    assert search.headers["developer-token"] == CREDENTIALS["developer_token"]
    assert search.headers["login-customer-id"] == "1112223333"
    assert search.get_json() == {
        "query": "SELECT segments.date, customer.id, campaign.id, campaign.name, "
        "customer.currency_code, metrics.cost_micros, metrics.clicks, metrics.impressions, "
        "metrics.conversions FROM campaign "
        "WHERE segments.date BETWEEN '2026-01-01' AND '2026-01-10'"
    }
    assert query(f"select count(*), min(date)::varchar, max(date)::varchar from {TABLE}") == [
        (20, "2026-01-01", "2026-01-10")
    ]
    row = query(
        f"select date::varchar, platform, campaign_id, clinic_id, account_id, campaign_name, "
        f"spend, impressions, clicks, currency from {TABLE} "
        "where campaign_id = '111' and date = '2026-01-01'"
    )
    assert row == [
        (
            "2026-01-01",
            "google_ads",
            "111",
            "clinic_a",
            "1234567890",
            "Campaign 111",
            Decimal("12.34"),
            200,
            10,
            "USD",
        )
    ]


def test_next_run_rereads_only_the_lookback_window_and_restated_days_replace(
    run, google, httpserver, query
):
    run(today="2026-01-21")  # backfills 01-01 .. 01-20
    google.spend[("2026-01-15", "111")] = 99_000_000  # Google restates a day in the window
    httpserver.clear_log()

    run(today="2026-01-25")

    (search,) = requests_to(httpserver, GOOGLE_SEARCH_PATH.pattern)
    assert gaql_range(search) == ("2026-01-07", "2026-01-24")  # 14 days before 01-20, to yesterday
    assert query(f"select count(*), count(distinct (campaign_id, date)) from {TABLE}") == [(48, 48)]
    assert query(
        f"select spend from {TABLE} where campaign_id = '111' and date = '2026-01-15'"
    ) == [(Decimal("99"),)]


def test_429_with_retry_after_is_retried_after_the_asked_delay(
    run, google, httpserver, sleeps, query, debug_logs
):
    httpserver.expect_oneshot_request(GOOGLE_SEARCH_PATH).respond_with_response(
        json_response(
            {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED"}}, 429, {"Retry-After": "7"}
        )
    )
    run(today="2026-01-03")

    assert sleeps == [7.0]
    assert len(requests_to(httpserver, GOOGLE_SEARCH_PATH.pattern)) == 2
    assert query(f"select count(*) from {TABLE}") == [(4,)]
    assert "HTTP 429" in debug_logs.text
    assert_no_secret(debug_logs.text, SECRETS)


def test_500_is_retried_with_backoff_then_succeeds(run, google, httpserver, sleeps, query):
    httpserver.expect_oneshot_request(GOOGLE_SEARCH_PATH).respond_with_json(
        {"error": {"code": 500, "status": "INTERNAL"}}, status=500
    )
    run(today="2026-01-03")

    assert sleeps == [1.0]
    assert query(f"select count(*) from {TABLE}") == [(4,)]


def test_retries_are_bounded(run, google, httpserver, sleeps, query):
    for _ in range(3):
        httpserver.expect_oneshot_request(GOOGLE_SEARCH_PATH).respond_with_json({}, status=503)

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-03", max_attempts=3)

    assert sleeps == [1.0, 2.0]
    assert "failed after 3 attempts (HTTP 503" in str(source_error(failure.value))


def test_invalid_grant_fails_fast_with_what_to_do(run, httpserver, sleeps, debug_logs):
    httpserver.expect_request("/token", method="POST").respond_with_json(
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
        status=400,
    )

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-03")

    error = source_error(failure.value)
    assert str(error) == (
        "google_ads: the refresh token was rejected (invalid_grant); create a new one "
        "and set sources.google_ads.credentials.refresh_token"
    )
    assert sleeps == []
    assert len(httpserver.log) == 1  # no retry, no report request
    assert_no_secret(str(failure.value) + debug_logs.text, SECRETS)


# The REST error as Google Ads sends it: google.rpc.Status with a GoogleAdsFailure in
# `details`, each error's `errorCode` a one-key object naming the category and the enum
# (developers.google.com/google-ads/api/rest/common/errors, "Handle errors";
# AuthorizationErrorEnum.AuthorizationError lists USER_PERMISSION_DENIED).
PERMISSION_DENIED = [
    {
        "error": {
            "code": 403,
            "message": "The caller does not have permission",
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                    "errors": [
                        {
                            "errorCode": {"authorizationError": "USER_PERMISSION_DENIED"},
                            "message": "User doesn't have permission to access customer. Note: "
                            "If you're accessing a client customer, the manager's customer id "
                            "must be set in the 'login-customer-id' header.",
                        }
                    ],
                    "requestId": "gN2aXqN1i3y0dXdfUZtEfQ",
                }
            ],
        }
    }
]


def test_403_from_the_api_fails_fast_naming_googles_error_code_and_the_settings(
    run, google, httpserver, sleeps
):
    httpserver.expect_oneshot_request(GOOGLE_SEARCH_PATH).respond_with_json(
        PERMISSION_DENIED, status=403
    )

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-03")

    message = str(source_error(failure.value))
    assert message.startswith(
        "google_ads: the Google Ads API refused access to customer 1234567890 (HTTP 403: "
        "authorizationError: USER_PERMISSION_DENIED (The caller does not have permission)); "
    )
    assert "sources.google_ads.login_customer_id" in message
    assert sleeps == []


def test_a_query_error_names_its_error_code(run, google, httpserver, sleeps):
    failure_body = [
        {
            "error": {
                "code": 400,
                "message": "Request contains an invalid argument.",
                "status": "INVALID_ARGUMENT",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.ads.googleads.v26.errors."
                        "GoogleAdsFailure",
                        "errors": [
                            {
                                "errorCode": {"queryError": "UNRECOGNIZED_FIELD"},
                                "message": "Unrecognized field in the query: 'metrics.cost'.",
                            }
                        ],
                    }
                ],
            }
        }
    ]
    httpserver.expect_oneshot_request(GOOGLE_SEARCH_PATH).respond_with_json(
        failure_body, status=400
    )

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-03")

    assert str(source_error(failure.value)).endswith(
        "returned HTTP 400: queryError: UNRECOGNIZED_FIELD (Request contains an invalid argument.)"
    )


def test_malformed_payload_fails_the_resource_and_keeps_loaded_rows(run, google, httpserver, query):
    run(today="2026-01-06")
    before = query(f"select * from {TABLE} order by all")
    httpserver.expect_oneshot_request(GOOGLE_SEARCH_PATH).respond_with_json(
        [{"results": [{"campaign": {"id": "111"}, "metrics": {"costMicros": "1"}}]}]
    )

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-09")

    message = str(source_error(failure.value))
    assert message.startswith("google_ads: google_ads/ad_spend row is missing required field")
    assert query(f"select * from {TABLE} order by all") == before

    httpserver.clear_log()
    run(today="2026-01-09")  # the failed run did not advance the state: same window again
    (search,) = requests_to(httpserver, GOOGLE_SEARCH_PATH.pattern)
    assert gaql_range(search) == ("2026-01-01", "2026-01-08")
    assert query(f"select count(*), count(distinct (campaign_id, date)) from {TABLE}") == [(16, 16)]


def test_a_non_array_answer_is_a_clear_payload_error(run, google, httpserver):
    httpserver.expect_oneshot_request(GOOGLE_SEARCH_PATH).respond_with_json({"results": []})

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-01-06")

    assert "searchStream should answer a JSON array of batches, got dict" in str(
        source_error(failure.value)
    )
