"""truth.json: the planted parameters (what the marts should recover up to sampling
noise) and the realized all-time numbers of this very data set (what the marts must
compute exactly, summed over calendar quarters, with as_of = end_date)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow.compute as pc

from . import catalog as cat
from .ads import RESTATED_DAYS
from .invoices import CLOSED, GIFT_CARD, MEMBERSHIP, OPEN, PACKAGE, PRODUCT, SERVICE, VOID, Lines
from .people import LEAD_KINDS, Leads, Patients
from .shifts import UTILIZATION_P, build_shifts, realized_minutes
from .timeutil import MIN_PER_DAY
from .visits import (
    BOOKED,
    CAPACITY_CODES,
    COMPLETED,
    CONSULT,
    NO_SHOW,
    RESCHEDULE,
    STATUSES,
    TREATMENT,
    Episodes,
    Visits,
)

EPOCH = date(1970, 1, 1)


def _per_provider(idx: np.ndarray, weights=None) -> np.ndarray:
    return np.bincount(idx, weights=weights, minlength=len(cat.PROVIDER_IDS))


def line_net(lines: Lines) -> np.ndarray:
    """Refund-adjusted net in cents (METRICS.md 'Line net')."""
    net = lines.quantity * lines.unit_price - lines.discount
    net = np.where((lines.status == CLOSED) & (lines.item != GIFT_CARD), net, 0)
    refund = lines.refund_of >= 0
    adjusted = net.copy()
    np.add.at(adjusted, lines.refund_of[refund], net[refund])
    adjusted[refund] = 0
    return adjusted


def realized(v: Visits, ep: Episodes, lines: Lines, pats: Patients, end_day: int) -> dict:
    window = cat.CONVERSION_WINDOW_DAYS
    day = v.start // MIN_PER_DAY
    past = day <= end_day
    done = (v.status == COMPLETED) & past
    capacity = past & np.isin(v.status, CAPACITY_CODES)
    consult = np.isin(v.kind, [CONSULT, RESCHEDULE])
    slot = consult & capacity
    held = consult & done
    mature = held & (day + window <= end_day)
    e = np.maximum(v.episode, 0)
    converted = mature & ep.converted[e]

    # Converted revenue: treatment revenue of each converting treatment's invoice lines.
    rev_by_visit = np.bincount(
        lines.visit[lines.visit >= 0],
        weights=lines.treatment_part[lines.visit >= 0],
        minlength=len(day),
    )
    tx = (v.kind == TREATMENT) & done & ep.converted[e]
    tx &= ep.held_day[e] + window <= end_day
    conv_rev = _per_provider(ep.provider[e[tx]], rev_by_visit[tx])

    net = line_net(lines)
    pair = lines.invoice * len(cat.PROVIDER_IDS) + lines.provider
    uniq, inv = np.unique(pair, return_inverse=True)
    ticket_net = np.bincount(inv, weights=net)
    positive = ticket_net > 0
    ticket_prov = uniq % len(cat.PROVIDER_IDS)
    tickets = _per_provider(ticket_prov[positive])
    ticket_rev = _per_provider(ticket_prov[positive], ticket_net[positive])

    returns = {}
    first_rows = np.flatnonzero(done)
    pats_done = v.patient[first_rows]
    _, first_pos = np.unique(pats_done, return_index=True)
    first = first_rows[first_pos]  # rows sorted by patient then start
    first_day = np.full(pats.n, -1)
    first_day[v.patient[first]] = day[first]
    first_prov = v.provider[first]
    for n_days in (90, 365):
        d0 = first_day[v.patient]
        later = done & (day > d0) & (day <= d0 + n_days)
        came_back = np.bincount(v.patient[later], minlength=pats.n) > 0
        is_mature = day[first] + n_days <= end_day
        returns[f"first_visits_mature_{n_days}d"] = _per_provider(first_prov[is_mature])
        returns[f"returned_{n_days}d"] = _per_provider(
            first_prov[is_mature & came_back[v.patient[first]]]
        )

    by_cat = np.zeros((len(cat.PROVIDER_IDS), len(cat.CONSULT_CATEGORIES)), dtype=np.int64)
    np.add.at(by_cat, (v.provider[slot], v.category[slot]), 1)

    # Utilization: build_shifts is deterministic, so this rebuilds the written shifts.
    shifts = build_shifts(v, end_day - cat.HISTORY_DAYS + 1, end_day)
    booked_min, shift_min = realized_minutes(v, shifts, end_day)

    out = {}
    for i, pid in enumerate(cat.PROVIDER_IDS):
        out[pid] = {
            "consult_slots": int(_per_provider(v.provider[slot])[i]),
            "consults_held": int(_per_provider(v.provider[held])[i]),
            "consults_mature": int(_per_provider(v.provider[mature])[i]),
            "consults_converted": int(_per_provider(v.provider[converted])[i]),
            "converted_revenue": round(float(conv_rev[i]) / 100, 2),
            "tickets": int(tickets[i]),
            "ticket_revenue": round(float(ticket_rev[i]) / 100, 2),
            **{k: int(val[i]) for k, val in returns.items()},
            "completed_visits": int(_per_provider(v.provider[done])[i]),
            "capacity_appointments": int(_per_provider(v.provider[capacity])[i]),
            "no_shows": int(_per_provider(v.provider[capacity & (v.status == NO_SHOW)])[i]),
            "rebooked_visits": int(_per_provider(v.provider[done & v.rebooked])[i]),
            "consult_slots_by_category": {
                c: int(by_cat[i, j]) for j, c in enumerate(cat.CONSULT_CATEGORIES)
            },
            "booked_minutes": int(booked_min[i]),
            "shift_minutes": int(shift_min[i]),
            "utilization": round(float(booked_min[i] / shift_min[i]), 4) if shift_min[i] else None,
        }
    return out


def realized_campaigns(
    v: Visits, ep: Episodes, lines: Lines, pats: Patients, leads: Leads, spend: dict, end_day: int
) -> dict:
    """Per acquisition campaign: attributed consults (each acquired patient's first
    consultation slot), how they converted, and the spend and leads it had."""
    window = cat.CONVERSION_WINDOW_DAYS
    day = v.start // MIN_PER_DAY
    consult = np.isin(v.kind, [CONSULT, RESCHEDULE])
    slot = consult & (day <= end_day) & np.isin(v.status, CAPACITY_CODES)
    rows = np.flatnonzero(slot)
    _, pos = np.unique(v.patient[rows], return_index=True)
    first = rows[pos]
    ch = pats.channel[v.patient[first]]
    held = v.status[first] == COMPLETED
    mature = held & (day[first] + window <= end_day)
    e = v.episode[first]
    conv = mature & ep.converted[e]
    # Converted revenue of those consults: their episode's converting treatment lines.
    tx = (v.kind == TREATMENT) & (v.status == COMPLETED)
    rev_by_visit = np.bincount(
        lines.visit[lines.visit >= 0],
        weights=lines.treatment_part[lines.visit >= 0],
        minlength=len(day),
    )
    rev_by_episode = np.zeros(len(ep.held), dtype=np.float64)
    np.add.at(rev_by_episode, v.episode[tx], rev_by_visit[tx])

    out = {}
    labels = [(c[1], c[0]) for c in cat.CAMPAIGNS] + [
        ("organic", "(none)"),
        ("referral", "(none)"),
        ("unattributed", "(none)"),
    ]
    for i, (platform, cid) in enumerate(labels):
        mine = ch == i
        by_prov = np.bincount(v.provider[first[mine]], minlength=len(cat.PROVIDER_IDS))
        entry = {
            "platform": platform,
            "campaign_id": cid,
            "acquired_patients": int((pats.channel == i).sum()),
            "attributed_consult_slots": int(mine.sum()),
            "consults_held": int((mine & held).sum()),
            "consults_mature": int((mine & mature).sum()),
            "consults_converted": int((mine & conv).sum()),
            "converted_revenue": round(float(rev_by_episode[e[mine & conv]].sum()) / 100, 2),
            "slots_by_provider": {
                pid: int(by_prov[j]) for j, pid in enumerate(cat.PROVIDER_IDS) if by_prov[j]
            },
        }
        if i < len(cat.CAMPAIGNS) + 2:
            entry["leads"] = int((leads.channel == i).sum())
        if i < len(cat.CAMPAIGNS):
            sel = spend["campaign"] == i
            entry["spend"] = round(float(spend["spend"][sel].sum()) / 100, 2)
            entry["impressions"] = int(spend["impressions"][sel].sum())
            entry["clicks"] = int(spend["clicks"][sel].sum())
        out[f"{platform}/{cid}"] = entry
    return out


def planted_providers() -> dict:
    out = {}
    for i, pid in enumerate(cat.PROVIDER_IDS):
        out[pid] = {
            "location_id": cat.LOCATION_IDS[cat.PROVIDER_LOCATION[i]],
            "active": i != cat.INACTIVE_PROVIDER,
            "conversion_p": float(cat.CONVERSION_P[i]),
            "avg_ticket": float(cat.AVG_TICKET[i]),
            "return_90d_p": float(cat.RETURN_90D_P[i]),
            "rebook_p": float(cat.REBOOK_P[i]),
            "no_show_p": float(cat.NO_SHOW_P[i]),
            "utilization_p": float(UTILIZATION_P[i]),
            "consult_mix": {
                c: float(cat.CONSULT_MIX[i, j]) for j, c in enumerate(cat.CONSULT_CATEGORIES)
            },
        }
    return out


def campaign_routing() -> dict:
    routing = cat.routing_matrix()
    return {
        c[0]: {pid: float(routing[i, j]) for j, pid in enumerate(cat.PROVIDER_IDS)}
        for i, c in enumerate(cat.CAMPAIGNS)
    }


def count_forms(table: dict, seen: dict) -> None:
    """Add up the timestamp forms written in a table's *_at columns."""
    for name, col in table.items():
        if name.endswith("_at"):
            text = col.drop_null()
            z = pc.sum(pc.ends_with(text, "Z")).as_py() or 0
            off = pc.sum(pc.match_substring_regex(text, r"T.*[+-]\d\d:\d\d$")).as_py() or 0
            seen["utc_z"] = seen.get("utc_z", 0) + z
            seen["offset"] = seen.get("offset", 0) + off
            seen["naive_local"] = seen.get("naive_local", 0) + len(text) - z - off


def header(seed: int, scale: float, end_date: date, start_day: int) -> dict:
    """The planted truth and the facts a reader needs to interpret it."""
    routing = cat.CAMPAIGNS[[c[0] for c in cat.CAMPAIGNS].index(cat.DISFAVOURED_CAMPAIGN)][6]
    return {
        "clinic_id": cat.CLINIC_ID,
        "seed": seed,
        "scale": scale,
        "end_date": str(end_date),
        "as_of_date": str(end_date),
        "history_start": str(EPOCH + timedelta(days=start_day)),
        "currency": cat.CURRENCY,
        "conversion_window_days": cat.CONVERSION_WINDOW_DAYS,
        "timezones": dict(zip(cat.LOCATION_IDS, cat.TIMEZONES, strict=True)),
        "providers": planted_providers(),
        "strongest_provider": cat.PROVIDER_IDS[cat.strongest_provider()],
        "campaign_routing": campaign_routing(),
        "favoured_campaign": cat.FAVOURED_CAMPAIGN,
        "disfavoured_campaign": cat.DISFAVOURED_CAMPAIGN,
        "disfavoured_provider": max(routing, key=routing.get),
        "notes": NOTES,
    }


NOTES = {
    "providers": "planted parameters; the marts recover them up to sampling noise over "
    "all calendar quarters (conversion over mature consults held, avg_ticket over all "
    "positive tickets including consult-fee-only and retail-only ones, return over mature "
    "first visits by first provider, rebooking over completed visits, no_show_p = "
    "no-shows / capacity appointments (completed, no_show, late_cancelled; any service), "
    "consult_mix over consult slots, utilization_p = booked_minutes / shift_minutes, "
    "which the shifts are staffed to hit in every calendar quarter up to their 30-minute grid)",
    "realized": "exact all-time values of this data set with as_of = end_date: the sums "
    "of the marts' calendar_quarter rows must equal them (money in USD, 2 decimals)",
    "campaign_routing": "probability that a patient acquired by the campaign has their "
    "first consultation slot with each provider",
    "planted": "the mess, with counts and example keys",
    "bad_rows": "rows a loader must quarantine; each key appears nowhere else",
}


def planted_mess(
    v,
    lines,
    leads,
    drop,
    apt_num,
    line_num,
    inv_num,
    evening_z,
    spend,
    restated,
    forms_seen,
    end_date,
    second_name,
    restated_name,
) -> dict:
    end_day = (end_date - EPOCH).days
    day = v.start // MIN_PER_DAY
    apt = lambda rows: [f"apt_{n:07d}" for n in apt_num[rows][:5]]  # noqa: E731
    line = lambda idx: [f"line_{n:07d}" for n in line_num[idx][:5]]  # noqa: E731
    closed = lines.status == CLOSED
    refund = lines.refund_of >= 0
    orig_of = lines.refund_of[refund]
    net = lines.quantity * lines.unit_price - lines.discount
    full = refund & (net + np.where(refund, net[np.maximum(lines.refund_of, 0)], 0) == 0)
    other_prov = refund & (lines.provider != lines.provider[np.maximum(lines.refund_of, 0)])
    tx_rows = np.flatnonzero((v.kind == TREATMENT) & v.day30)
    d31_rows = np.flatnonzero(v.day31)
    matched = leads.kind < 3
    variant = matched & leads.has_email & (leads.email_variant > 0)
    phone_only = matched & ~leads.has_email
    lead_ids = lambda mask: [f"lead_{i + 1:06d}" for i in np.flatnonzero(mask)[:5]]  # noqa: E731
    inv_ids = lambda mask: sorted({f"inv_{n:07d}" for n in inv_num[mask]})  # noqa: E731
    status_counts = {s: int((v.status == i).sum()) for i, s in enumerate(STATUSES)}
    return {
        "timestamp_forms": forms_seen,
        "appointment_statuses": status_counts,
        "upcoming_booked": {
            "count": int(((v.status == BOOKED) & (day > end_day)).sum()),
            "examples": apt(np.flatnonzero((v.status == BOOKED) & (day > end_day))),
        },
        "second_appointments_drop": {
            "file": second_name,
            "rows": len(drop.updates) + len(drop.stale),
            "status_updates": {
                "count": len(drop.updates),
                "first_file_status": "booked",
                "final_status_counts": {
                    s: int((v.status[drop.updates] == i).sum())
                    for i, s in enumerate(STATUSES)
                    if (v.status[drop.updates] == i).any()
                },
                "examples": apt(drop.updates),
            },
            "stale_versions": {
                "count": len(drop.stale),
                "note": "the later file repeats an older 'booked' version (updated_at 20 "
                "minutes older, written in UTC while the newer one carries an offset, so "
                "it sorts later as text): the first file's completed version must win",
                "examples": apt(drop.stale),
            },
        },
        "restated_ad_spend": {
            "file": restated_name,
            "rows": len(restated["day"]),
            "days": RESTATED_DAYS,
            "first_date": str(EPOCH + timedelta(days=int(restated["day"].min()))),
            "spend_first_file": round(float(_window_sum(spend, restated)) / 100, 2),
            "spend_restated": round(float(restated["spend"].sum()) / 100, 2),
        },
        "invoices": {
            "void_invoices": len(inv_ids(lines.status == VOID)),
            "open_invoices": len(inv_ids(lines.status == OPEN)),
            "partial_refunds": int((refund & ~full).sum()),
            "full_refunds": int(full.sum()),
            "refunds_by_other_provider": int(other_prov.sum()),
            "refunds_negative_quantity": int((refund & (lines.quantity < 0)).sum()),
            "refunds_negative_unit_price": int((refund & (lines.unit_price < 0)).sum()),
            "refund_examples": line(np.flatnonzero(refund)),
            "refunded_line_examples": line(orig_of),
            "gift_card_lines": int((lines.item == GIFT_CARD).sum()),
            "consult_fee_lines": int(np.isin(lines.service, cat.CONSULT_SERVICE).sum()),
            "product_lines": int((lines.item == PRODUCT).sum()),
            "package_lines": int((lines.item == PACKAGE).sum()),
            "membership_lines": int((lines.item == MEMBERSHIP).sum()),
            "service_lines": int((lines.item == SERVICE).sum()),
            "lines_with_tip": int((lines.tip > 0).sum()),
            "lines_with_tax": int((lines.tax > 0).sum()),
            "closed_lines": int(closed.sum()),
            "void_examples": inv_ids(lines.status == VOID)[:5],
            "open_examples": inv_ids(lines.status == OPEN)[:5],
        },
        "window_edges": {
            "day_30_purchases": {
                "count": len(tx_rows),
                "note": "converting treatment 30 local days after its consult (inside the "
                "window), issued in the evening and written in UTC, whose UTC date is day 31",
                "treatment_appointments": apt(tx_rows),
                "lines": line(np.flatnonzero(evening_z)),
            },
            "day_31_purchases": {
                "count": len(d31_rows),
                "note": "treatment 31 local days after an unconverted consult (outside)",
                "treatment_appointments": apt(d31_rows),
            },
        },
        "leads": {
            "by_kind": {k: int((leads.kind == i).sum()) for i, k in enumerate(LEAD_KINDS)},
            "note": "acquisition leads match their patient by email in a case/space "
            "variant, or by phone in another format when the patient has no email; "
            "repeat leads come from the same channel before the booking; leads after the "
            "first booking are another campaign's and never the acquisition lead",
            "email_case_or_space_variants": int(variant.sum()),
            "email_variant_examples": lead_ids(variant),
            "matched_by_phone_only": int(phone_only.sum()),
            "matched_by_phone_only_examples": lead_ids(phone_only),
            "phone_formats": [
                "(303) 555-0142",
                "303.555.0142",
                "+1 303 555 0142",
                "3035550142",
                "303-555-0142",
            ],
            "after_first_booking_examples": lead_ids(leads.kind == 2),
            "unmatched_examples": lead_ids(leads.kind == 3),
        },
        "inactive_provider": {
            "provider_id": cat.PROVIDER_IDS[cat.INACTIVE_PROVIDER],
            "left_after": str(end_date - timedelta(days=cat.DEPARTURE_DAYS_BEFORE_END)),
        },
    }


def _window_sum(spend: dict, restated: dict) -> int:
    recent = spend["day"] >= restated["day"].min()
    return int(spend["spend"][recent].sum())
