"""Which platform sent a lead, and which campaign, from the UTM tags and click ids a web
form or CRM keeps.

Rules, first match wins (values compared trimmed and lower-case):

| signal | platform |
|---|---|
| a `platform` column holding a canonical platform (METRICS.md) | that platform |
| utm_medium organic, organic_social or seo | organic |
| utm_medium referral, word_of_mouth | referral |
| gclid/gbraid/wbraid, or utm_source google, adwords, googleads | google_ads |
| fbclid, or utm_source facebook, fb, instagram, ig, meta | meta_ads |
| ttclid, or utm_source tiktok | tiktok_ads |
| utm_medium cpc, ppc, paid, paid_social, display, cpm... | other_paid |
| utm_medium email, newsletter, sms | other |
| any other utm_source | referral (another site or partner sent them) |
| nothing | other (direct or unknown: not "organic", which would be a claim) |

A click id wins over a missing medium because auto-tagging adds the id, not UTMs. An
export that already says the platform (a canonical export, a CRM's own channel field) is
not second-guessed; any other value in that column is ignored and the rules decide.
"""

from __future__ import annotations

import re

from ingestion import values

GOOGLE_SOURCES = frozenset({"google", "adwords", "googleads", "google_ads", "gads"})
META_SOURCES = frozenset({"facebook", "fb", "instagram", "ig", "meta", "facebook_ads", "meta_ads"})
TIKTOK_SOURCES = frozenset({"tiktok", "tiktok_ads"})
ORGANIC_MEDIUMS = frozenset({"organic", "organic_social", "seo"})
REFERRAL_MEDIUMS = frozenset({"referral", "word_of_mouth"})
PAID_MEDIUMS = frozenset({
    "cpc", "ppc", "paid", "paidsearch", "paid_search", "paidsocial", "paid_social", "display",
    "cpm", "cpv", "banner", "ads",
})  # fmt: skip
OWNED_MEDIUMS = frozenset({"email", "newsletter", "sms"})
PAID_PLATFORMS = frozenset(values.PAID_PLATFORMS)
PLATFORMS = frozenset(values.PLATFORMS)

# Ad platforms' campaign ids are long integers (Google ~11 digits, Meta ~18).
CAMPAIGN_ID = re.compile(r"^\d{6,}$")
TRAILING_CAMPAIGN_ID = re.compile(r"(?:^|[_\-|:. ])(\d{8,})$")


def _norm(value: str | None) -> str:
    return (value or "").strip().lower().replace("-", "_").replace(" ", "_")


def platform(row: dict) -> str:
    if (named := _norm(row.get("platform"))) in PLATFORMS:
        return named
    source, medium = _norm(row.get("utm_source")), _norm(row.get("utm_medium"))
    if medium in ORGANIC_MEDIUMS:
        return "organic"
    if medium in REFERRAL_MEDIUMS:
        return "referral"
    if row.get("gclid") or row.get("gbraid") or row.get("wbraid") or source in GOOGLE_SOURCES:
        return "google_ads"
    if row.get("fbclid") or source in META_SOURCES:
        return "meta_ads"
    if row.get("ttclid") or source in TIKTOK_SOURCES:
        return "tiktok_ads"
    if medium in PAID_MEDIUMS:
        return "other_paid"
    if medium in OWNED_MEDIUMS:
        return "other"
    return "referral" if source else "other"


def campaign_id(row: dict, lead_platform: str) -> str | None:
    """An explicit campaign_id column wins; else a paid lead's utm_id or utm_campaign when it
    holds a numeric id (ValueTrack {campaignid}, Meta {{campaign.id}}), or ends with one."""
    if row.get("campaign_id"):
        return str(row["campaign_id"]).strip()
    if lead_platform not in PAID_PLATFORMS:
        return None
    for key in ("utm_id", "utm_campaign"):
        value = (row.get(key) or "").strip()
        if CAMPAIGN_ID.match(value):
            return value
    match = TRAILING_CAMPAIGN_ID.search((row.get("utm_campaign") or "").strip())
    return match.group(1) if match else None
