"""The dlt resource both ad platforms share: campaign daily spend over a look-back.

Platforms revise recent days, so every run re-reads `lookback_days` ending yesterday
(the first run backfills from `start_date`) and merges on (account, campaign, date).
The last loaded day lives in resource state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

import dlt
from dlt.extract.resource import DltResource

from ingestion.http import as_date, lookback_start

logger = logging.getLogger(__name__)

# (first, last) inclusive -> every row of those days, parsed
SpendFetcher = Callable[[date, date], list[dict]]


def daily_spend_resource(
    source: str, fetch: SpendFetcher, start_date: str, lookback_days: int, today: str | None
) -> DltResource:
    """`fetch` returns every row already parsed, so a bad row or page fails the resource
    before anything is yielded; `today` pins the run date for backfills and tests."""
    dlt.current.source_schema().remove_type_detection("iso_timestamp")

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
            logger.info("%s: nothing to request yet (start %s, last %s)", source, first, last)
            return
        yield fetch(first, last)
        state["last_loaded_date"] = last.isoformat()

    return ad_spend
