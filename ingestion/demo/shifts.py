"""Provider shifts, staffed to a planted utilization per provider.

Each provider has a planted utilization target (booked minutes / shift minutes,
METRICS.md section 5: completed, no_show and late_cancelled appointments over shifts,
each by its local start date). Capacity is set per (provider, local day): on a day
with bookings, the booked minutes divided by a factor near the target, on a 30-minute
grid and never below the booked minutes; on a working day without bookings, a regular
day. The factor is calibrated per (calendar quarter, provider) by bisection so that
the quarter's booked / shift minutes comes out at the target up to the grid, at any
volume; where a quarter cannot get there even with the factor at 1 (a book still
filling up, many empty working days at tiny scales) it stays below, and truth.json
records the realized ratio.

The regular day is what the lower quartile of the quarter's booked days need at the
target, between 1 and 9 hours: a full 09:00-18:00 day once the volume fills one, a
part-time day while it does not. A provider keeps the regular schedule only in quarters
with bookings, so every quarter with shifts has a provider_performance row.

A day whose capacity exceeds one 12-hour shift is split into several shift rows of the
same day (parallel rooms, overlapping), alternately aligned to the day's first booking
and to its last one, all inside 09:00-21:00 local time (away from DST changes)."""

from __future__ import annotations

import numpy as np

from . import catalog as cat
from .timeutil import MIN_PER_DAY
from .visits import CANCELLED, CAPACITY_CODES, Visits

# Planted utilization per provider (index i is prov_{i+1:02d}); 0.03 apart, permuted.
UTILIZATION_P = np.array([0.78, 0.66, 0.87, 0.60, 0.75, 0.63, 0.84, 0.72, 0.69, 0.81])

SHIFT_START = 9 * 60  # a regular day starts at 09:00
REGULAR_DAY = 9 * 60  # and lasts at most 9 hours
MIN_REGULAR_DAY = 60
MAX_SHIFT = 12 * 60
DAY_OPEN, DAY_CLOSE = 9 * 60, 21 * 60  # every shift lies inside (MAX_SHIFT fits)
GRID = 30  # shift lengths and edges are whole half hours
UPCOMING_DAYS = 14  # schedules are published two weeks ahead
CALIBRATION_STEPS = 40


def _quarter(days: np.ndarray) -> np.ndarray:
    """Calendar quarter number (since 1970) of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) // 3


def _capacity(booked, regular, has, factor, dither) -> np.ndarray:
    """Shift minutes per cell: booked / factor on the 30-minute grid, at least the
    booked minutes; the regular day on a scheduled day without bookings. The grid
    point is picked with a per-cell offset so that the cells do not all step at
    the same factor, which lets the calibration get close at small volumes too."""
    need = np.maximum(-(-(booked / factor - dither) // GRID), -(-booked // GRID)) * GRID
    return np.where(booked > 0, need, np.where(has, regular, 0)).astype(np.int64)


def build_shifts(v: Visits, start_day: int, end_day: int) -> dict[str, np.ndarray]:
    n_prov = len(cat.PROVIDER_IDS)
    last_day = end_day + UPCOMING_DAYS
    days = np.arange(start_day, last_day + 1)
    n_days = len(days)
    prov = np.arange(n_prov)

    # Cells are (day, provider), day-major, as the rows are written.
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    works = (weekday[:, None] + prov[None, :]) % 7 < 5  # staggered so every day is staffed
    departure = end_day - cat.DEPARTURE_DAYS_BEFORE_END
    works[days > departure, cat.INACTIVE_PROVIDER] = False

    a_day = v.start // MIN_PER_DAY
    keep = (v.status != CANCELLED) & (a_day >= start_day) & (a_day <= last_day)
    cell = (a_day[keep] - start_day) * n_prov + v.provider[keep]
    size = n_days * n_prov
    minutes = (v.end - v.start)[keep]
    booked = np.bincount(cell, weights=minutes, minlength=size).astype(np.int64)
    first = np.full(size, SHIFT_START, dtype=np.int64)
    last = np.zeros(size, dtype=np.int64)
    if len(cell):
        first_seen = np.full(size, MIN_PER_DAY, dtype=np.int64)
        np.minimum.at(first_seen, cell, v.start[keep] % MIN_PER_DAY)
        np.maximum.at(last, cell, v.end[keep] % MIN_PER_DAY)
        first = np.where(booked > 0, first_seen, first)
    booked, first, last = (x.reshape(n_days, n_prov) for x in (booked, first, last))

    # Calibration groups: (calendar quarter, provider).
    q = _quarter(days) - _quarter(days[:1])[0]
    group = (q[:, None] * n_prov + prov[None, :]).ravel()
    n_groups = (q[-1] + 1) * n_prov
    group_booked = np.bincount(group, weights=booked.ravel(), minlength=n_groups)
    works &= (group_booked > 0).reshape(-1, n_prov)[q]  # on the schedule when seeing patients
    has = works | (booked > 0)

    # The regular day of each group: what the lower quartile of its booked days needs
    # at the target, 1 to 9 hours (short while a provider's book is still filling up).
    target = UTILIZATION_P[prov]
    need = (booked / target).ravel()
    seen = booked.ravel() > 0
    rows = np.flatnonzero(seen)[np.lexsort((need[seen], group[seen]))]
    n_seen = np.bincount(group[seen], minlength=n_groups)
    offset = np.cumsum(n_seen) - n_seen
    low = need[rows[np.minimum(offset + (n_seen - 1) // 4, len(rows) - 1)]] if len(rows) else 0
    low = np.where(n_seen > 0, low, REGULAR_DAY)
    regular = np.clip(low // GRID * GRID, MIN_REGULAR_DAY, REGULAR_DAY).astype(np.int64)
    regular = regular[group].reshape(n_days, n_prov)

    # Bisection per group on the factor f in capacity = booked / f: the realized
    # ratio rises with f (up to f = 1, where a day's capacity is its booked minutes).
    goal = np.tile(target, q[-1] + 1)
    lo, hi = np.full(n_groups, 0.05), np.ones(n_groups)

    dither = (np.arange(n_days * n_prov) * 0.6180339887498949 % 1 * GRID).reshape(n_days, n_prov)

    def capacity(f: np.ndarray) -> np.ndarray:
        return _capacity(booked, regular, has, f[group].reshape(n_days, n_prov), dither)

    def ratio(f: np.ndarray) -> np.ndarray:
        cap = capacity(f)
        total = np.bincount(group, weights=cap.ravel(), minlength=n_groups)
        return np.divide(group_booked, total, out=np.zeros(n_groups), where=total > 0)

    for _ in range(CALIBRATION_STEPS):
        mid = (lo + hi) / 2
        below = ratio(mid) < goal
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    factor = np.where(np.abs(ratio(lo) - goal) <= np.abs(ratio(hi) - goal), lo, hi)
    cap = capacity(factor).ravel()

    # Split each cell's capacity into k <= 12-hour rows of whole half hours.
    cells = np.flatnonzero(cap)
    units = cap[cells] // GRID
    k = -(-units // (MAX_SHIFT // GRID))
    row_cell = np.repeat(cells, k)
    j = np.arange(len(row_cell)) - np.repeat(np.cumsum(k) - k, k)  # row within its cell
    base, extra = np.divmod(units, k)
    length = (np.repeat(base, k) + (j < np.repeat(extra, k))) * GRID
    left = np.clip(first.ravel()[row_cell] // GRID * GRID, DAY_OPEN, DAY_CLOSE - length)
    right_end = np.clip(-(-last.ravel()[row_cell] // GRID) * GRID, DAY_OPEN + length, DAY_CLOSE)
    start = np.where(j % 2 == 0, left, right_end - length)
    s_day, s_prov = np.divmod(row_cell, n_prov)
    s_day = s_day + start_day
    return {
        "provider": s_prov,
        "loc": cat.PROVIDER_LOCATION[s_prov],
        "start": s_day * MIN_PER_DAY + start,
        "end": s_day * MIN_PER_DAY + start + length,
    }


def realized_minutes(v: Visits, shifts: dict, end_day: int) -> tuple[np.ndarray, np.ndarray]:
    """Per provider, all time up to end_day: booked minutes (completed, no_show and
    late_cancelled appointments by their start date) and shift minutes (by the shift's
    start date), as METRICS.md section 5 counts them."""
    n_prov = len(cat.PROVIDER_IDS)
    counted = np.isin(v.status, CAPACITY_CODES) & (v.start // MIN_PER_DAY <= end_day)
    booked = np.bincount(
        v.provider[counted], weights=(v.end - v.start)[counted], minlength=n_prov
    ).astype(np.int64)
    past = shifts["start"] // MIN_PER_DAY <= end_day
    shift = np.bincount(
        shifts["provider"][past],
        weights=(shifts["end"] - shifts["start"])[past],
        minlength=n_prov,
    ).astype(np.int64)
    return booked, shift
