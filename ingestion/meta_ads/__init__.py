"""Meta (Facebook/Instagram) ads: daily spend per campaign of every configured ad
account, from the Insights API.

Meta keeps attributing and correcting for up to 28 days, so every run re-reads a
28-day look-back ending yesterday and merges on (clinic, account, campaign, date). Long
ranges are asked for in slices so one request never asks for too much.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import dlt
from dlt.extract.resource import DltResource

from ingestion.ad_spend import AccountFailure, AdAccount, ad_accounts, daily_spend_resource
from ingestion.http import ApiClient, date_windows
from ingestion.meta_ads.insights import (
    SOURCE,
    ad_spend_row,
    insights_params,
    page_rows,
    refusal,
    retryable,
    throttle_seconds,
)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v24.0"  # Graph versions live about two years: keep it configurable


@dlt.source(name=SOURCE)
def meta_ads_source(
    start_date: str = dlt.config.value,
    access_token: str = dlt.secrets.value,
    accounts: list[dict] | None = None,
    account_id: str | None = None,
    clinic_id: str | None = None,
    api_version: str = DEFAULT_API_VERSION,
    base_url: str = DEFAULT_BASE_URL,
    lookback_days: int = 28,
    window_days: int = 31,
    page_size: int = 500,
    today: str | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 1.0,
    max_throttle_wait_seconds: float = 1800.0,
    sleep: Callable[[float], None] | None = None,
    on_account_failure: AccountFailure | None = None,
) -> DltResource:
    """Campaign daily spend of each ad account in `accounts` ([{"account_id": "act_123",
    "clinic_id": "clinic_a"}, ...]), or of the one `account_id` of `clinic_id`, deleted
    and archived campaigns included. A throttle (codes 4/17/613/80000-80014) waits
    what `X-Business-Use-Case-Usage` estimates, at most `max_throttle_wait_seconds` a try."""
    ad_account_ids = ad_accounts(
        SOURCE, "account_id", accounts, account_id, clinic_id, lambda a: a.removeprefix("act_")
    )

    def fetch(ad_account: AdAccount, first: date, last: date) -> list[dict]:
        account = ad_account.account_id
        api = ApiClient(
            source=SOURCE,
            base_url=base_url,
            # The token goes in a header, not the documented query parameter: URLs get logged.
            headers={"Authorization": f"Bearer {access_token}"},
            secrets=[access_token],
            auth_failure=refusal(account),
            retryable=retryable,
            retry_delay=throttle_seconds,
            max_delay_seconds=max_throttle_wait_seconds,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            sleep=sleep or time.sleep,
        )
        path = f"{api_version}/act_{account}/insights"
        rows = []
        for window_first, window_last in date_windows(first, last, window_days):
            params = insights_params(window_first, window_last, page_size)
            while True:
                page, after = page_rows(api.request("GET", path, params=params))
                rows.extend(ad_spend_row(row, account, ad_account.clinic_id) for row in page)
                if after is None:
                    break
                params = {**params, "after": after}
        return rows

    return daily_spend_resource(
        SOURCE, ad_account_ids, fetch, start_date, lookback_days, today, on_account_failure
    )
