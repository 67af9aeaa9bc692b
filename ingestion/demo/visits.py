"""Appointments: each patient's journey as episodes (a consultation, maybe a
treatment that converts it, maybe a later maintenance visit), then booking times
that plant rebooking, then the export cut-off.

Outcomes are drawn per provider from the planted truth and the calendar is built
around them so the metric rules of METRICS.md recover exactly what was drawn:
- consults of one patient are more than 60 days apart, and every treatment that is
  not a conversion lies more than 30 days after the last consult, so attribution
  is unambiguous;
- the 90-day return of a first visit is drawn first, and the converting treatment
  (same day or not) and the maintenance visit are placed to agree with it;
- a rebooked visit's next appointment is booked during the visit; any other next
  appointment is booked before the visit or on a later date;
- each provider's no-show share of capacity is planted by adding missed attempts
  before some treatments (the patient no-showed, then rebooked and came).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingestion.values import APPOINTMENT_STATUSES, CAPACITY_STATUSES

from . import catalog as cat
from .people import Patients, pick
from .timeutil import MIN_PER_DAY, daytime_between

MAX_EPISODES = 6
# Appointment kinds (internal): a consultation's first attempt, its reschedule, the
# treatment that converts it, a later maintenance visit, a walk-in first visit, and a
# follow-up booked at a patient's last visit, and a missed attempt before a treatment.
CONSULT, RESCHEDULE, TREATMENT, MAINTENANCE, WALK_IN, FOLLOW_UP, MISSED = range(7)
STATUSES = APPOINTMENT_STATUSES  # a status code is its index
BOOKED, COMPLETED, NO_SHOW, CANCELLED, LATE_CANCELLED = map(
    STATUSES.index, ("booked", "completed", "no_show", "cancelled", "late_cancelled")
)
# the codes of the statuses that use capacity (METRICS.md sections 2 and 5)
CAPACITY_CODES = tuple(STATUSES.index(s) for s in CAPACITY_STATUSES)
FIRST_ATTEMPT_P = [0.84, 0.06, 0.06, 0.04]  # completed, no_show, cancelled, late_cancelled
ABANDON_P = 0.25  # after a failed first attempt the patient does not reschedule
DAY30_SHARE, DAY31_SHARE = 0.004, 0.004  # planted window-edge purchases


@dataclass
class Visits:
    """One row per appointment (final version), sorted by patient then start."""

    patient: np.ndarray
    kind: np.ndarray
    episode: np.ndarray  # patient * MAX_EPISODES + j; -1 for follow-ups
    provider: np.ndarray
    service: np.ndarray
    category: np.ndarray  # consult category of the episode, -1 for walk-ins
    loc: np.ndarray
    start: np.ndarray  # local minutes
    end: np.ndarray
    booked: np.ndarray
    cancelled: np.ndarray  # -1 when not cancelled
    updated: np.ndarray
    status: np.ndarray
    rebooked: np.ndarray  # planted flag, meaningful on completed rows
    day30: np.ndarray  # a converting treatment on day 30 after its consult
    day31: np.ndarray  # a maintenance purchase on day 31 after an unconverted consult


@dataclass
class Episodes:
    """Flat (patient * MAX_EPISODES + j) arrays of the planned episodes."""

    held: np.ndarray
    held_day: np.ndarray
    provider: np.ndarray
    converted: np.ndarray
    offset: np.ndarray  # converting treatment day - consult day, -1 if none


def other_provider(rng, loc: np.ndarray, provider: np.ndarray) -> np.ndarray:
    """A different provider of the same location."""
    table, count = cat.location_providers()
    n = count[loc]
    cur = np.argmax(table[loc] == provider[:, None], axis=1)
    step = 1 + (rng.random(len(loc)) * (n - 1)).astype(np.int64)
    return table[loc, (cur + step) % n]


def _substitute(rng, provider: np.ndarray, day: np.ndarray, departure: int) -> np.ndarray:
    """prov_10 left: later appointments go to a colleague at the same location."""
    gone = (provider == cat.INACTIVE_PROVIDER) & (day > departure)
    sub = cat.SUBSTITUTES[rng.integers(0, len(cat.SUBSTITUTES), len(provider))]
    return np.where(gone, sub, provider)


def _slot(rng, n: int, last_quarter: int) -> np.ndarray:
    """Start minute of day on a 15-minute grid from 09:00."""
    return 9 * 60 + 15 * rng.integers(0, last_quarter + 1, n)


def plan_episodes(rng, pats: Patients, end_day: int):
    """Draw every episode of every patient: (N, MAX_EPISODES) arrays."""
    n, e = pats.n, MAX_EPISODES
    departure = end_day - cat.DEPARTURE_DAYS_BEFORE_END
    shape = (n, e)
    ep = {
        k: np.full(shape, -1, dtype=np.int64)
        for k in ("s", "status1", "h", "k", "cat", "t", "m", "svc_walk", "tod1", "tod2")
    }
    exists = np.zeros(shape, bool)
    held = np.zeros(shape, bool)
    conv = np.zeros(shape, bool)
    walk = np.zeros(shape, bool)
    n_ep = np.minimum(rng.geometric(0.5, n), e)
    alive = np.ones(n, bool)
    returned = np.zeros(n, bool)
    h_prev = gap_prev = k_prev = None
    for j in range(e):
        live = alive & (j < n_ep)
        is_walk = pats.walkin & (j == 0)
        if j == 0:
            s = pats.acq_day + np.where(is_walk, 0, rng.integers(2, 22, n))
        else:
            s = h_prev + gap_prev
        status1 = np.where(
            is_walk,
            COMPLETED,
            np.array([COMPLETED, NO_SHOW, CANCELLED, LATE_CANCELLED])[
                rng.choice(4, size=n, p=FIRST_ATTEMPT_P)
            ],
        )
        failed = status1 != COMPLETED
        abandon = failed & (rng.random(n) < ABANDON_P)
        h = s + np.where(failed & ~abandon, rng.integers(3, 11, n), 0)
        if j == 0:
            k = pats.first_provider.copy()
        else:
            k = np.where(rng.random(n) < 0.8, k_prev, other_provider(rng, pats.loc, k_prev))
        k = _substitute(rng, k, h, departure)
        category = pick(rng, cat.CONSULT_MIX[k])
        is_held = live & ~abandon
        converted = is_held & ~is_walk & (rng.random(n) < cat.CONVERSION_P[k])
        gap = rng.integers(105 if j == 0 else 75, 301, n)
        if j == 0:
            # The first visit's 90-day return decides where the next visits may fall.
            returned = rng.random(n) < cat.RETURN_90D_P[k]
            t = np.where(returned, rng.integers(1, 30, n), 0)
            need = returned & ~converted
            lo = np.where(returned, np.where(is_walk, 7, 31), 91)
            hi = np.where(need, 90, gap - 14)
        else:
            t = np.where(rng.random(n) < 0.35, 0, rng.integers(1, 30, n))
            need = np.zeros(n, bool)
            lo = np.full(n, 31)
            hi = gap - 14
        optional = rng.random(n) < (0.4 if j == 0 else 0.45)
        has_mt = is_held & (need | optional) & (hi >= lo)
        m = lo + (rng.random(n) * (hi - lo + 1)).astype(np.int64)

        exists[:, j] = live
        walk[:, j] = is_walk & live
        held[:, j] = is_held
        conv[:, j] = converted
        ep["s"][:, j] = s
        ep["status1"][:, j] = status1
        ep["h"][:, j] = h
        ep["k"][:, j] = k
        ep["cat"][:, j] = np.where(is_walk, -1, category)
        ep["t"][:, j] = np.where(converted, t, -1)
        ep["m"][:, j] = np.where(has_mt, m, -1)
        ep["svc_walk"][:, j] = cat.WALKIN_SERVICES[rng.integers(0, len(cat.WALKIN_SERVICES), n)]
        ep["tod1"][:, j] = _slot(rng, n, 29)  # consults start by 16:15
        ep["tod2"][:, j] = _slot(rng, n, 29)
        alive &= ~abandon
        h_prev, gap_prev, k_prev = h, gap, k

    # Window edges: some conversions land on day 30 (inside), some unconverted
    # consults get a purchase on day 31 (outside). Neither changes a consult's fate.
    mature = ep["h"] + cat.CONVERSION_WINDOW_DAYS < end_day
    day30 = _some(rng, conv & (ep["t"] >= 1) & mature, DAY30_SHARE)
    ep["t"][day30] = 30
    first_returns = np.zeros(shape, bool)
    first_returns[:, 0] = returned
    day31 = _some(
        rng,
        held & ~conv & ~walk & (ep["m"] >= 31) & mature & ((np.arange(e) > 0) | first_returns),
        DAY31_SHARE,
    )
    ep["m"][day31] = 31
    return exists, walk, held, conv, ep, day30, day31


def _some(rng, candidates: np.ndarray, share: float) -> np.ndarray:
    """At least 3 (when possible) of the candidate cells, about share of them."""
    idx = np.flatnonzero(candidates)
    k = min(len(idx), max(3, int(round(share * len(idx)))))
    out = np.zeros(candidates.shape, bool)
    out.flat[np.sort(rng.choice(idx, size=k, replace=False))] = True
    return out


def build_visits(rng, pats: Patients, end_day: int) -> tuple[Visits, Episodes]:
    exists, walk, held, conv, ep, day30, day31 = plan_episodes(rng, pats, end_day)
    n, e = pats.n, MAX_EPISODES
    departure = end_day - cat.DEPARTURE_DAYS_BEFORE_END
    pat = np.repeat(np.arange(n), e).reshape(n, e)
    key = pat * e + np.arange(e)
    loc = pats.loc[pat]
    consult_svc = cat.CONSULT_SERVICE[np.maximum(ep["cat"], 0)]
    treat_svc = cat.TREATMENTS[np.maximum(ep["cat"], 0), rng.integers(0, 3, (n, e))]
    treat_svc = np.where(walk, ep["svc_walk"], treat_svc)
    rescheduled = exists & held & (ep["h"] > ep["s"])
    held_tod = np.where(rescheduled, ep["tod2"], ep["tod1"])
    rows = []

    def add(mask, kind, day, tod, provider, service, status, edge30=None, edge31=None):
        rows.append(
            {
                "patient": pat[mask],
                "kind": np.full(mask.sum(), kind),
                "episode": key[mask],
                "provider": provider[mask],
                "service": service[mask],
                "category": ep["cat"][mask],
                "loc": loc[mask],
                "day": day[mask],
                "tod": tod[mask],
                "status": status[mask] if status.ndim else np.full(mask.sum(), status),
                "day30": (edge30 if edge30 is not None else np.zeros_like(mask))[mask],
                "day31": (edge31 if edge31 is not None else np.zeros_like(mask))[mask],
            }
        )

    first_svc = np.where(walk, ep["svc_walk"], consult_svc)
    first_kind_walk = exists & walk
    add(exists & ~walk, CONSULT, ep["s"], ep["tod1"], ep["k"], first_svc, ep["status1"])
    add(first_kind_walk, WALK_IN, ep["s"], ep["tod1"], ep["k"], first_svc, np.array(COMPLETED))
    add(rescheduled, RESCHEDULE, ep["h"], ep["tod2"], ep["k"], consult_svc, np.array(COMPLETED))

    tx = conv
    tx_day = ep["h"] + ep["t"]
    same_day = ep["t"] == 0
    consult_end = held_tod + cat.SERVICE_DURATION[consult_svc]
    tx_tod = np.where(same_day, consult_end + 15, _slot(rng, n * e, 33).reshape(n, e))
    tx_tod = np.where(day30, 17 * 60 + 30, tx_tod)  # evening: its UTC date is day 31
    tx_prov = np.where(
        same_day | (rng.random((n, e)) < 0.93),
        ep["k"],
        other_provider(rng, loc.ravel(), ep["k"].ravel()).reshape(n, e),
    )
    tx_prov = _substitute(rng, tx_prov.ravel(), tx_day.ravel(), departure).reshape(n, e)
    add(tx, TREATMENT, tx_day, tx_tod, tx_prov, treat_svc, np.array(COMPLETED), edge30=day30)

    mt = ep["m"] >= 0
    mt_day = ep["h"] + ep["m"]
    mt_prov = np.where(
        rng.random((n, e)) < 0.85,
        ep["k"],
        other_provider(rng, loc.ravel(), ep["k"].ravel()).reshape(n, e),
    )
    mt_prov = _substitute(rng, mt_prov.ravel(), mt_day.ravel(), departure).reshape(n, e)
    mt_svc = np.where(
        walk, ep["svc_walk"], cat.TREATMENTS[np.maximum(ep["cat"], 0), rng.integers(0, 3, (n, e))]
    )
    mt_tod = _slot(rng, n * e, 33).reshape(n, e)
    add(mt, MAINTENANCE, mt_day, mt_tod, mt_prov, mt_svc, np.array(COMPLETED), edge31=day31)

    r = {k: np.concatenate([row[k] for row in rows]) for k in rows[0]}
    r = _sorted(r)
    r = _truncate_future(r, end_day)
    r = _plant_rebooking(rng, r, end_day, departure)
    r = _plant_no_shows(rng, r, end_day)
    r = _book(rng, r, pats)
    cutoff = (end_day + 1) * MIN_PER_DAY - 1
    r = {k: v[r["booked"] <= cutoff] for k, v in r.items()}
    r["updated"] = _updated(rng, r)

    visits = Visits(
        patient=r["patient"],
        kind=r["kind"],
        episode=r["episode"],
        provider=r["provider"],
        service=r["service"],
        category=r["category"],
        loc=r["loc"],
        start=r["start"],
        end=r["end"],
        booked=r["booked"],
        cancelled=r["cancelled"],
        updated=r["updated"],
        status=r["status"],
        rebooked=r["flag"],
        day30=r["day30"],
        day31=r["day31"],
    )
    episodes = Episodes(
        held=held.ravel(),
        held_day=ep["h"].ravel(),
        provider=ep["k"].ravel(),
        converted=conv.ravel(),
        offset=ep["t"].ravel(),
    )
    return visits, episodes


def _sorted(r: dict) -> dict:
    r["start"] = r["day"] * MIN_PER_DAY + r["tod"]
    r["end"] = r["start"] + cat.SERVICE_DURATION[r["service"]]
    order = np.lexsort((r["kind"], r["start"], r["patient"]))
    return {k: v[order] for k, v in r.items()}


def _group_start(patient: np.ndarray) -> np.ndarray:
    first = np.r_[True, patient[1:] != patient[:-1]]
    return np.maximum.accumulate(np.where(first, np.arange(len(patient)), 0))


def _truncate_future(r: dict, end_day: int) -> dict:
    """Upcoming appointments are 'booked'; nothing after a patient's first upcoming
    appointment exists yet."""
    future = r["day"] > end_day
    r["status"] = np.where(future, BOOKED, r["status"])
    cum = np.cumsum(future)
    before = cum - future
    gs = _group_start(r["patient"])
    keep = (before - before[gs]) == 0
    return {k: v[keep] for k, v in r.items()}


def _plant_rebooking(rng, r: dict, end_day: int, departure: int) -> dict:
    n = len(r["patient"])
    done = r["status"] == COMPLETED
    flag = done & (rng.random(n) < cat.REBOOK_P[r["provider"]])
    # A consult and a treatment on the same day are rebooked (or not) together at
    # checkout: a booking made during the treatment is also during the consult's day.
    nxt_same = np.r_[
        (r["patient"][1:] == r["patient"][:-1]) & (r["day"][1:] == r["day"][:-1]), False
    ]
    pair = np.flatnonzero(nxt_same & done & np.r_[done[1:], False])
    flag[pair] = flag[pair + 1]
    r["flag"] = flag
    # A rebooked last visit needs a next appointment: a follow-up that is upcoming,
    # or in the past and never attended (so it is nobody's return visit).
    last = np.r_[r["patient"][1:] != r["patient"][:-1], True]
    idx = np.flatnonzero(last & flag)
    m = len(idx)
    day = r["day"][idx] + rng.integers(28, 121, m)
    svc = r["service"][idx]
    is_consult = np.isin(svc, cat.CONSULT_SERVICE)
    svc = np.where(
        is_consult, cat.TREATMENTS[np.maximum(r["category"][idx], 0), rng.integers(0, 3, m)], svc
    )
    past_status = np.array([CANCELLED, NO_SHOW, LATE_CANCELLED])[
        rng.choice(3, size=m, p=[0.45, 0.35, 0.2])
    ]
    fu = {
        "patient": r["patient"][idx],
        "kind": np.full(m, FOLLOW_UP),
        "episode": np.full(m, -1),
        "provider": _substitute(rng, r["provider"][idx], day, departure),
        "service": svc,
        "category": r["category"][idx],
        "loc": r["loc"][idx],
        "day": day,
        "tod": _slot(rng, m, 33),
        "status": np.where(day > end_day, BOOKED, past_status),
        "day30": np.zeros(m, bool),
        "day31": np.zeros(m, bool),
        "flag": np.zeros(m, bool),
    }
    fu["start"] = fu["day"] * MIN_PER_DAY + fu["tod"]
    fu["end"] = fu["start"] + cat.SERVICE_DURATION[fu["service"]]
    r = {k: np.concatenate([r[k], fu[k]]) for k in r}
    order = np.lexsort((r["kind"], r["start"], r["patient"]))
    return {k: v[order] for k, v in r.items()}


def _plant_no_shows(rng, r: dict, end_day: int) -> dict:
    """Missed attempts (status no_show) before some past completed treatments, so each
    provider's no-shows over capacity appointments (METRICS.md section 5) come to
    catalog.NO_SHOW_P over the whole history: the consult first attempts and follow-ups
    already hold some no-shows, the missed attempts make up the rest. A missed attempt is
    1-10 days before the treatment and after the patient's previous appointment, with the
    same provider and service; it is not a consult, so no conversion number moves, and
    the treatment is then booked after it (booking mode e)."""
    n, n_prov = len(r["patient"]), len(cat.PROVIDER_IDS)
    past = r["day"] <= end_day
    capacity = past & np.isin(r["status"], [COMPLETED, NO_SHOW, LATE_CANCELLED])
    cap = np.bincount(r["provider"][capacity], minlength=n_prov)
    missed = np.bincount(r["provider"][past & (r["status"] == NO_SHOW)], minlength=n_prov)
    need = np.maximum(np.round((cat.NO_SHOW_P * cap - missed) / (1 - cat.NO_SHOW_P)), 0)

    prev = np.maximum(np.arange(n) - 1, 0)
    gap = np.where(
        np.r_[False, r["patient"][1:] == r["patient"][:-1]], r["day"] - r["day"][prev], 0
    )
    eligible = past & (r["status"] == COMPLETED) & np.isin(r["kind"], [TREATMENT, MAINTENANCE])
    candidates = np.flatnonzero(eligible & (gap >= 2))
    # need[p] candidates of each provider p, at random: shuffle, then rank within provider
    candidates = candidates[rng.permutation(len(candidates))]
    candidates = candidates[np.argsort(r["provider"][candidates], kind="stable")]
    provider = r["provider"][candidates]
    rank = np.arange(len(candidates)) - np.searchsorted(provider, provider)
    chosen = np.sort(candidates[rank < need[provider]])

    m = len(chosen)
    add = {k: v[chosen].copy() for k, v in r.items()}
    add["kind"] = np.full(m, MISSED)
    add["episode"] = np.full(m, -1)
    add["day"] = (
        r["day"][chosen] - 1 - (rng.random(m) * np.minimum(gap[chosen] - 1, 10)).astype(int)
    )
    add["tod"] = _slot(rng, m, 33)
    add["status"] = np.full(m, NO_SHOW)
    for flag in ("day30", "day31", "flag"):
        add[flag] = np.zeros(m, bool)
    add["start"] = add["day"] * MIN_PER_DAY + add["tod"]
    add["end"] = add["start"] + cat.SERVICE_DURATION[add["service"]]
    r = {k: np.concatenate([r[k], add[k]]) for k in r}
    order = np.lexsort((r["kind"], r["start"], r["patient"]))
    return {k: v[order] for k, v in r.items()}


def _book(rng, r: dict, pats: Patients) -> dict:
    """booked_at and cancelled_at, each from the previous appointment of the patient."""
    n = len(r["patient"])
    first = np.r_[True, r["patient"][1:] != r["patient"][:-1]]
    prev = np.maximum(np.arange(n) - 1, 0)
    p_status = r["status"][prev]
    p_flag = r["flag"][prev]
    same_day = r["day"][prev] == r["day"]
    cancel = np.isin(r["status"], [CANCELLED, LATE_CANCELLED])
    after_prev_day = (r["day"][prev] + 1) * MIN_PER_DAY + 7 * 60

    mode_a = ~first & (p_status == COMPLETED) & p_flag  # booked during the previous visit
    mode_c = ~first & (p_status == COMPLETED) & ~p_flag & same_day  # booked with it, earlier
    mode_b = ~first & (p_status == COMPLETED) & ~p_flag & ~same_day  # booked on a later day
    mode_e = ~first & (p_status == NO_SHOW)  # booked after the missed visit
    mode_d = ~first & np.isin(p_status, [CANCELLED, LATE_CANCELLED])  # with the cancellation
    if np.any(~first & (p_status == BOOKED)):
        raise AssertionError("an appointment follows an upcoming one")

    booked = np.full(n, -1, dtype=np.int64)
    start = r["start"]
    # First appointment: booked on the acquisition day (walk-ins minutes before).
    acq = pats.acq_day[r["patient"]] * MIN_PER_DAY
    walk = r["kind"] == WALK_IN
    first_b = np.where(
        walk,
        start - rng.integers(5, 61, n),
        daytime_between(rng, acq + 7 * 60, acq + 21 * 60),
    )
    booked[first] = first_b[first]
    p_start, p_end = start[prev], r["end"][prev]
    a = p_start + 1 + (rng.random(n) * np.maximum(p_end - p_start - 2, 1)).astype(np.int64)
    booked[mode_a] = a[mode_a]
    hi_b = np.where(cancel, start - 2 * MIN_PER_DAY - 60, start - 60)
    b = daytime_between(rng, after_prev_day, np.maximum(hi_b, after_prev_day), power=2.0)
    booked[mode_b] = b[mode_b]
    e_ = daytime_between(rng, p_start + 60, np.minimum(p_start + 2 * MIN_PER_DAY, start - 60))
    booked[mode_e] = e_[mode_e]

    cancelled = np.full(n, -1, dtype=np.int64)
    lo_c = np.where(first, 0, after_prev_day)
    late = r["status"] == LATE_CANCELLED
    for _ in range(8):  # a few passes resolve chains like cancel -> reschedule -> same day
        todo = cancel & (booked >= 0) & (cancelled < 0)
        if todo.any():
            lo = np.maximum(booked[todo] + 60, lo_c[todo])
            s = start[todo]
            lo = np.where(late[todo], np.maximum(lo, s - 23 * 60), lo)
            hi = np.where(late[todo], s - 120, s - 25 * 60)
            cancelled[todo] = daytime_between(rng, lo, np.maximum(hi, lo))
        c = mode_c & (booked < 0) & (booked[prev] >= 0)
        booked[c] = booked[prev][c] + 1
        d = mode_d & (booked < 0) & (cancelled[prev] >= 0)
        booked[d] = cancelled[prev][d] + 1
        if (booked >= 0).all() and not (cancel & (cancelled < 0)).any():
            break
    else:
        raise AssertionError("booking times did not resolve")
    r["booked"] = booked
    r["cancelled"] = cancelled
    return r


def _updated(rng, r: dict) -> np.ndarray:
    n = len(r["status"])
    st = r["status"]
    out = r["booked"].copy()
    done = st == COMPLETED
    out[done] = r["end"][done] + rng.integers(5, 241, n)[done]
    ns = st == NO_SHOW
    out[ns] = r["start"][ns] + rng.integers(30, 181, n)[ns]
    c = r["cancelled"] >= 0
    out[c] = r["cancelled"][c] + rng.integers(0, 4, n)[c]
    return out
