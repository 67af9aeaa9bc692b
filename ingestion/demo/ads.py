"""Daily ad spend per campaign, and the restatement ad platforms send for recent
days (a later file with revised numbers for the same keys)."""

from __future__ import annotations

import numpy as np

from . import catalog as cat

RESTATED_DAYS = 14
CPM = {"google_ads": 38.0, "meta_ads": 11.0}  # USD per 1000 impressions
CTR = {"google_ads": 0.045, "meta_ads": 0.012}


def build_ad_spend(rng, scale: float, start_day: int, end_day: int):
    """Returns (rows, restated): dicts of arrays; spend in cents."""
    parts = []
    for i, (_cid, platform, _acct, _name, budget, first, _routing) in enumerate(cat.CAMPAIGNS):
        days = np.arange(start_day + first, end_day + 1)
        n = len(days)
        weekend = ((days + 3) % 7) >= 5
        spend = budget * scale * rng.uniform(0.75, 1.25, n) * np.where(weekend, 0.8, 1.0)
        cents = np.maximum(np.round(spend * 100), 1).astype(np.int64)
        impressions = np.round(cents / 100 / CPM[platform] * 1000 * rng.uniform(0.85, 1.15, n))
        impressions = impressions.astype(np.int64)
        clicks = rng.binomial(impressions, CTR[platform])
        parts.append(
            {
                "campaign": np.full(n, i),
                "day": days,
                "spend": cents,
                "impressions": impressions,
                "clicks": clicks,
            }
        )
    rows = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((rows["campaign"], rows["day"]))
    rows = {k: v[order] for k, v in rows.items()}

    recent = rows["day"] > end_day - RESTATED_DAYS
    restated = {k: v[recent].copy() for k, v in rows.items()}
    factor = rng.uniform(0.9, 1.12, recent.sum())
    restated["spend"] = np.maximum(np.round(restated["spend"] * factor), 1).astype(np.int64)
    restated["impressions"] = np.round(restated["impressions"] * factor).astype(np.int64)
    restated["clicks"] = np.minimum(
        np.round(restated["clicks"] * factor).astype(np.int64), restated["impressions"]
    )
    return rows, restated


def final_spend(spend: dict, restated: dict) -> dict:
    """The rows that count: the later file replaces the same (day, campaign)."""
    key = spend["day"] * 100 + spend["campaign"]
    pos = np.searchsorted(key, restated["day"] * 100 + restated["campaign"])
    out = {k: v.copy() for k, v in spend.items()}  # spend is sorted by (day, campaign)
    for k in ("spend", "impressions", "clicks"):
        out[k][pos] = restated[k]
    return out
