"""Google Ads: daily spend per campaign of every configured customer account, through the
REST searchStream endpoint.

Google revises recent days (late conversions, invalid-click credits), so every run
re-reads a look-back window ending yesterday and merges on (clinic, account, campaign,
date); an account's first run backfills from `start_date`. Each account's last loaded
day lives in resource state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import dlt
from dlt.extract.resource import DltResource

from ingestion.ad_spend import AccountFailure, AdAccount, ad_accounts, daily_spend_resource
from ingestion.google_ads.auth import DEFAULT_TOKEN_URL, GoogleAdsCredentials, access_token
from ingestion.google_ads.report import (
    SOURCE,
    ad_spend_row,
    api_refusal,
    campaign_daily_query,
    result_rows,
)
from ingestion.http import ApiClient

DEFAULT_BASE_URL = "https://googleads.googleapis.com"
DEFAULT_API_VERSION = "v26"  # Google sunsets versions after about a year: keep it configurable


def _digits(account_id: str) -> str:
    """The UI shows 123-456-7890; the API wants 1234567890."""
    return "".join(ch for ch in str(account_id) if ch.isdigit())


@dlt.source(name=SOURCE)
def google_ads_source(
    start_date: str = dlt.config.value,
    credentials: GoogleAdsCredentials = dlt.secrets.value,
    accounts: list[dict] | None = None,
    customer_id: str | None = None,
    clinic_id: str | None = None,
    login_customer_id: str | None = None,
    api_version: str = DEFAULT_API_VERSION,
    base_url: str = DEFAULT_BASE_URL,
    token_url: str = DEFAULT_TOKEN_URL,
    lookback_days: int = 14,
    today: str | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 1.0,
    sleep: Callable[[float], None] | None = None,
    on_account_failure: AccountFailure | None = None,
) -> DltResource:
    """Campaign daily spend of each account in `accounts` ([{"customer_id": "123-456-7890",
    "clinic_id": "clinic_a"}, ...], an entry may name its own `login_customer_id`), or of
    the one `customer_id` of `clinic_id`.

    `today` (ISO date) pins the run date for backfills and tests; `sleep` replaces
    time.sleep between retries (tests pass a recorder); `on_account_failure` lets the
    other accounts load when one fails (see ingestion.ad_spend).
    """
    customers = ad_accounts(SOURCE, "customer_id", accounts, customer_id, clinic_id, _digits)
    retry = {
        "max_attempts": max_attempts,
        "backoff_seconds": backoff_seconds,
        "sleep": sleep or time.sleep,
    }

    def fetch(account: AdAccount, first: date, last: date) -> list[dict]:
        token = access_token(credentials, token_url, **retry)
        headers = {
            "Authorization": f"Bearer {token}",
            "developer-token": credentials.developer_token,
            "Content-Type": "application/json",
        }
        if manager := account.option("login_customer_id") or login_customer_id:
            headers["login-customer-id"] = _digits(manager)
        api = ApiClient(
            source=SOURCE,
            base_url=base_url,
            headers=headers,
            secrets=[token, *credentials.secret_values()],
            auth_failure=api_refusal(account.account_id),
            **retry,
        )
        payload = api.request(
            "POST",
            f"{api_version}/customers/{account.account_id}/googleAds:searchStream",
            json_body={"query": campaign_daily_query(first, last)},
        )
        return [ad_spend_row(result, account.clinic_id) for result in result_rows(payload)]

    return daily_spend_resource(
        SOURCE, customers, fetch, start_date, lookback_days, today, on_account_failure
    )
