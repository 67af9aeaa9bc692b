"""Provider shifts: a regular five-day week per provider at the home location, plus
any day the provider has appointments, stretched to cover the last one."""

from __future__ import annotations

import numpy as np

from . import catalog as cat
from .timeutil import MIN_PER_DAY
from .visits import CANCELLED, Visits

SHIFT_START, SHIFT_END = 9 * 60, 18 * 60
UPCOMING_DAYS = 14  # schedules are published two weeks ahead


def build_shifts(v: Visits, start_day: int, end_day: int) -> dict[str, np.ndarray]:
    n_prov = len(cat.PROVIDER_IDS)
    days = np.arange(start_day, end_day + UPCOMING_DAYS + 1)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    prov = np.repeat(np.arange(n_prov), len(days))
    day = np.tile(days, n_prov)
    works = (np.tile(weekday, n_prov) + prov) % 7 < 5  # staggered so every day is staffed
    departure = end_day - cat.DEPARTURE_DAYS_BEFORE_END
    works &= ~((prov == cat.INACTIVE_PROVIDER) & (day > departure))
    works &= day <= end_day + UPCOMING_DAYS

    seen = v.status != CANCELLED
    a_day = v.start[seen] // MIN_PER_DAY
    keep = a_day <= end_day + UPCOMING_DAYS
    a_prov, a_day, a_end = v.provider[seen][keep], a_day[keep], v.end[seen][keep]

    key = np.concatenate(
        [prov[works] * 10**6 + (day[works] - start_day), a_prov * 10**6 + (a_day - start_day)]
    )
    uniq, inv = np.unique(key, return_inverse=True)
    last_end = np.full(len(uniq), SHIFT_END)
    np.maximum.at(last_end, inv[works.sum() :], a_end % MIN_PER_DAY)
    last_end = -(-last_end // 30) * 30  # round up to the half hour
    s_prov, s_day = np.divmod(uniq, 10**6)
    s_day = s_day + start_day
    order = np.lexsort((s_prov, s_day))
    s_prov, s_day, last_end = s_prov[order], s_day[order], last_end[order]
    return {
        "provider": s_prov,
        "loc": cat.PROVIDER_LOCATION[s_prov],
        "start": s_day * MIN_PER_DAY + SHIFT_START,
        "end": s_day * MIN_PER_DAY + np.maximum(last_end, SHIFT_END),
    }
