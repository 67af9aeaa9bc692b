"""The shared client's fault handling, and the request windows, on their own."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime

import pytest
from source_support import assert_no_secret

from ingestion.http import (
    ApiClient,
    PayloadError,
    SourceAuthError,
    SourceHttpError,
    date_windows,
    lookback_start,
)

SECRET = "key-SECRET-123"


@pytest.fixture
def client(httpserver, sleeps) -> ApiClient:
    return ApiClient(
        source="demo",
        base_url=httpserver.url_for("/"),
        headers={"Authorization": f"apikey {SECRET}"},
        secrets=[SECRET],
        max_attempts=3,
        max_delay_seconds=30,
        sleep=sleeps.append,
    )


def test_retry_after_is_capped_and_understood_as_an_http_date(client, httpserver, sleeps):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=12), usegmt=True)
    httpserver.expect_oneshot_request("/x").respond_with_json({}, 429, {"Retry-After": "3600"})
    httpserver.expect_oneshot_request("/x").respond_with_json({}, 503, {"Retry-After": later})
    httpserver.expect_request("/x").respond_with_json({"ok": True})

    assert client.request("GET", "x") == {"ok": True}
    assert sleeps[0] == 30  # an hour asked, capped at max_delay_seconds
    assert 9 <= sleeps[1] <= 12


def test_unreachable_host_is_retried_then_named(sleeps, debug_logs):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ApiClient(
        source="demo",
        base_url=f"http://127.0.0.1:{port}",
        secrets=[SECRET],
        headers={"Authorization": SECRET},
        max_attempts=3,
        sleep=sleeps.append,
    )

    with pytest.raises(SourceHttpError, match=r"^demo: GET /ping unreachable after 3 attempts"):
        client.request("GET", "ping")
    assert sleeps == [1.0, 2.0]
    assert_no_secret(debug_logs.text, [SECRET])


def test_a_client_error_is_not_retried_and_an_echoed_secret_is_scrubbed(client, httpserver, sleeps):
    httpserver.expect_request("/x").respond_with_json(
        {"error": {"message": f"bad request for key {SECRET}"}}, status=400
    )

    with pytest.raises(SourceHttpError) as failure:
        client.request("GET", "x", params={"q": "1"})

    assert str(failure.value) == "demo: GET /x returned HTTP 400: bad request for key ***"
    assert sleeps == []


def test_401_is_an_auth_error_carrying_the_hint(client, httpserver):
    httpserver.expect_request("/x").respond_with_json({"error": {"message": "nope"}}, status=401)
    client.auth_hint = "set sources.demo.api_key"

    with pytest.raises(SourceAuthError, match=r"HTTP 401: nope\); set sources.demo.api_key$"):
        client.request("GET", "x")


def test_a_2xx_that_is_not_json_is_a_payload_error(client, httpserver):
    httpserver.expect_request("/x").respond_with_data("<html>maintenance</html>", status=200)

    with pytest.raises(PayloadError, match="^demo: GET /x did not return JSON$"):
        client.request("GET", "x")


def test_lookback_start():
    start = date(2026, 1, 1)
    assert lookback_start(None, start, 14) == start  # first run: backfill
    assert lookback_start("2026-02-20", start, 14) == date(2026, 2, 7)
    assert lookback_start("2026-01-05", start, 14) == start  # never before start_date


def test_date_windows_cover_the_range_without_overlap():
    windows = list(date_windows(date(2026, 3, 1), date(2026, 3, 16), 7))
    assert windows == [
        (date(2026, 3, 1), date(2026, 3, 7)),
        (date(2026, 3, 8), date(2026, 3, 14)),
        (date(2026, 3, 15), date(2026, 3, 16)),
    ]
    assert list(date_windows(date(2026, 3, 2), date(2026, 3, 1), 7)) == []
