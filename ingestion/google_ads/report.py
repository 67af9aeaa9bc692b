"""The campaign daily report: the GAQL we send and the rows we make of the answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import requests

from ingestion.http import PayloadError, api_error_message, require

SOURCE = "google_ads"
MICROS = Decimal(1_000_000)


def campaign_daily_query(first: date, last: date) -> str:
    return (
        "SELECT segments.date, customer.id, campaign.id, campaign.name, "
        "customer.currency_code, metrics.cost_micros, metrics.clicks, "
        "metrics.impressions, metrics.conversions "
        "FROM campaign "
        f"WHERE segments.date BETWEEN '{first.isoformat()}' AND '{last.isoformat()}'"
    )


def api_refusal(customer_id: str):
    """401/403 from the Ads API: the token is fine (we just minted it), so it is the
    developer token, the manager-account header, or the user's access to the account."""

    def refusal(response: requests.Response) -> str | None:
        if response.status_code not in (401, 403):
            return None
        return (
            f"{SOURCE}: the Google Ads API refused access to customer {customer_id} "
            f"(HTTP {response.status_code}: {api_error_message(response)}); check "
            f"sources.{SOURCE}.credentials.developer_token, sources.{SOURCE}.login_customer_id "
            "(the manager account, when access goes through one) and that the OAuth user "
            "can read this account"
        )

    return refusal


def result_rows(payload: Any) -> list[dict]:
    """searchStream answers a JSON array of batches, each with an optional `results` list."""
    if not isinstance(payload, list) or not all(isinstance(b, dict) for b in payload):
        raise PayloadError(
            f"{SOURCE}/ad_spend: searchStream should answer a JSON array of batches, "
            f"got {type(payload).__name__}"
        )
    rows = []
    for batch in payload:
        results = batch.get("results", [])
        if not isinstance(results, list):
            raise PayloadError(f"{SOURCE}/ad_spend: a batch's `results` is not a list")
        rows.extend(results)
    return rows


def ad_spend_row(result: dict, clinic_id: str) -> dict:
    """One GoogleAdsRow (REST: camelCase leaves, int64 as strings) as a canonical ad_spend row."""
    what = f"{SOURCE}/ad_spend row"
    day = require(result, "segments.date", source=SOURCE, what=what)
    campaign_id = require(result, "campaign.id", source=SOURCE, what=what)
    account_id = require(result, "customer.id", source=SOURCE, what=what)
    currency = require(result, "customer.currencyCode", source=SOURCE, what=what)
    metrics = result.get("metrics") or {}  # proto3 JSON omits zero-valued metrics
    try:
        return {
            "date": date.fromisoformat(day),
            "platform": SOURCE,
            "campaign_id": str(campaign_id),
            "clinic_id": clinic_id,
            "account_id": str(account_id),
            "campaign_name": (result.get("campaign") or {}).get("name"),
            "spend": Decimal(str(metrics.get("costMicros", 0))) / MICROS,
            "impressions": int(metrics.get("impressions", 0)),
            "clicks": int(metrics.get("clicks", 0)),
            "conversions": float(metrics.get("conversions", 0)),
            "currency": currency,
        }
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise PayloadError(f"{what} has an unreadable value ({exc}): {result}") from None
