"""Meta (Facebook/Instagram) ads: daily spend per campaign from the Insights API.

Meta keeps attributing and correcting for up to 28 days, so every run re-reads a
28-day look-back ending yesterday and merges on (account, campaign, date). Long
ranges are asked for in slices so one request never asks for too much.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta

import dlt
from dlt.extract.resource import DltResource

from ingestion.http import ApiClient, as_date, date_windows, lookback_start
from ingestion.meta_ads.insights import (
    SOURCE,
    ad_spend_row,
    insights_params,
    page_rows,
    refusal,
    retryable,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v24.0"  # Graph versions live about two years: keep it configurable


@dlt.source(name=SOURCE)
def meta_ads_source(
    account_id: str = dlt.config.value,
    clinic_id: str = dlt.config.value,
    start_date: str = dlt.config.value,
    access_token: str = dlt.secrets.value,
    api_version: str = DEFAULT_API_VERSION,
    base_url: str = DEFAULT_BASE_URL,
    lookback_days: int = 28,
    window_days: int = 31,
    page_size: int = 500,
    today: str | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 1.0,
    sleep: Callable[[float], None] | None = None,
) -> DltResource:
    """Campaign daily spend of one Meta ad account (`act_<account_id>`), for one clinic."""
    dlt.current.source_schema().remove_type_detection("iso_timestamp")
    account = str(account_id).removeprefix("act_")

    @dlt.resource(
        name="ad_spend",
        primary_key=("account_id", "campaign_id", "date"),
        write_disposition="merge",
    )
    def ad_spend():
        state = dlt.current.resource_state()
        last = as_date(today or date.today()) - timedelta(days=1)
        first = lookback_start(state.get("last_loaded_date"), as_date(start_date), lookback_days)
        if first > last:
            logger.info("%s: nothing to request yet (start %s, last %s)", SOURCE, first, last)
            return
        api = ApiClient(
            source=SOURCE,
            base_url=base_url,
            # The token goes in a header, not the documented query parameter: URLs get logged.
            headers={"Authorization": f"Bearer {access_token}"},
            secrets=[access_token],
            auth_failure=refusal(account),
            retryable=retryable,
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
                rows.extend(ad_spend_row(row, account, clinic_id) for row in page)
                if after is None:
                    break
                params = {**params, "after": after}
        # Every page parsed before anything is yielded: a bad page fails the whole resource.
        yield rows
        state["last_loaded_date"] = last.isoformat()

    return ad_spend
