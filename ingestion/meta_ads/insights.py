"""The campaign-level daily insights request, Meta's error codes, and the rows we keep."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

import requests

from ingestion.http import RETRYABLE_STATUS, PayloadError, require

SOURCE = "meta_ads"
FIELDS = "campaign_id,campaign_name,spend,impressions,clicks,date_start,account_currency"
# Meta throttles with HTTP 400/403 plus these codes, not with 429.
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TOKEN_CODES = frozenset({102, 190})  # session or access token invalid/expired
# Every campaign effective_status. Account-level insights leave out deleted and archived
# campaigns unless filtered on them, and a campaign deleted inside the 28-day look-back
# still has spend ("Manage your ad object's status", Marketing API best practices).
CAMPAIGN_STATUSES = (
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "ARCHIVED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED",
    "ADSET_PAUSED",
    "IN_PROCESS",
    "WITH_ISSUES",
)


def insights_params(first: date, last: date, page_size: int) -> dict:
    status_filter = [
        {"field": "campaign.effective_status", "operator": "IN", "value": list(CAMPAIGN_STATUSES)}
    ]
    return {
        "level": "campaign",
        "time_increment": 1,
        "fields": FIELDS,
        "time_range": json.dumps(
            {"since": first.isoformat(), "until": last.isoformat()}, separators=(",", ":")
        ),
        "filtering": json.dumps(status_filter, separators=(",", ":")),
        "limit": page_size,
    }


def throttle_seconds(response: requests.Response) -> float | None:
    """How long Meta says the throttle lasts: the largest `estimated_time_to_regain_access`
    (minutes) in `X-Business-Use-Case-Usage` ({"<id>": [{"type": .., "call_count": ..,
    "estimated_time_to_regain_access": n}]}), else Retry-After, else None (back off)."""
    try:
        usage = json.loads(response.headers.get("X-Business-Use-Case-Usage") or "{}")
    except ValueError:
        usage = {}
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else ())
        for entry in (entries if isinstance(entries, list) else ())
        if isinstance(entry, dict)
    ]
    minutes = [m for m in minutes if isinstance(m, int | float) and m > 0]
    if minutes:
        return 60.0 * max(minutes)
    retry_after = (response.headers.get("Retry-After") or "").strip()
    return float(retry_after) if retry_after.isdigit() else None


def _error(response: requests.Response) -> dict:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return {}
    return error if isinstance(error, dict) else {}


def retryable(response: requests.Response) -> bool:
    return (
        response.status_code in RETRYABLE_STATUS or _error(response).get("code") in RATE_LIMIT_CODES
    )


def refusal(account_id: str):
    """190/102 mean the token is dead; 10 and 200-299 mean it may not read this account."""

    def check(response: requests.Response) -> str | None:
        error = _error(response)
        code = error.get("code")
        if code in RATE_LIMIT_CODES or response.status_code < 400:
            return None
        detail = f"code {code}: {str(error.get('message', ''))[:200]}"
        if code in TOKEN_CODES or response.status_code == 401:
            return (
                f"{SOURCE}: the access token was rejected ({detail}); create a new long-lived "
                f"(system user) token with ads_read and set sources.{SOURCE}.access_token"
            )
        if (
            code == 10
            or (isinstance(code, int) and 200 <= code <= 299)
            or response.status_code == 403
        ):
            return (
                f"{SOURCE}: the access token may not read ad account act_{account_id} ({detail}); "
                f"grant it ads_read on that account or fix it in sources.{SOURCE}.accounts"
            )
        return None

    return check


def page_rows(payload: object) -> tuple[list[dict], str | None]:
    """An insights page: its rows, and the `after` cursor when `paging.next` says there is more."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise PayloadError(
            f"{SOURCE}/ad_spend: an insights page must be an object with a `data` list"
        )
    paging = payload.get("paging") or {}
    if not paging.get("next"):
        return payload["data"], None
    after = (paging.get("cursors") or {}).get("after")
    if not after:
        raise PayloadError(f"{SOURCE}/ad_spend: `paging.next` without `paging.cursors.after`")
    return payload["data"], after


def ad_spend_row(row: dict, account_id: str, clinic_id: str) -> dict:
    what = f"{SOURCE}/ad_spend row"
    day = require(row, "date_start", source=SOURCE, what=what)
    campaign_id = require(row, "campaign_id", source=SOURCE, what=what)
    try:
        return {
            "date": date.fromisoformat(day),
            "platform": SOURCE,
            "campaign_id": str(campaign_id),
            "clinic_id": clinic_id,
            "account_id": account_id,
            "campaign_name": row.get("campaign_name"),
            "spend": Decimal(str(row.get("spend", "0"))),
            "impressions": int(row.get("impressions", 0)),
            "clicks": int(row.get("clicks", 0)),
            "currency": row.get("account_currency"),
        }
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise PayloadError(f"{what} has an unreadable value ({exc}): {row}") from None
