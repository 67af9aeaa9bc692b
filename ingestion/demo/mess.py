"""The mess real exports have, planned here so it is recorded in truth.json:
timestamp forms, the second appointments drop (status updates and stale rows) and
the bad rows a loader must quarantine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalog as cat
from .timeutil import MIN_PER_DAY
from .visits import COMPLETED, NO_SHOW, Visits

FORM_P = [0.4, 0.3, 0.3]  # FORM_Z, FORM_OFFSET, FORM_NAIVE


def forms(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice(3, size=n, p=FORM_P)


@dataclass
class SecondDrop:
    """Rows of Visits repeated in appointments_<end_date + 2>.csv."""

    updates: np.ndarray  # first file says 'booked'; the later file has the outcome
    stale: np.ndarray  # the later file repeats an older 'booked' version: it must lose
    stale_old_updated: np.ndarray  # local minutes of that older version


def plan_second_drop(rng, v: Visits, end_day: int, scale: float) -> SecondDrop:
    day = v.start // MIN_PER_DAY
    recent = day >= end_day - 6

    def pick(mask, k):
        idx = np.flatnonzero(mask)
        return np.sort(rng.choice(idx, size=min(len(idx), k), replace=False))

    done = pick(recent & (v.status == COMPLETED), max(3, round(40 * scale)))
    noshow = pick(recent & (v.status == NO_SHOW), max(2, round(10 * scale)))
    # Stale rows end in the evening so their newer updated_at, written with an offset,
    # sorts *before* the older one written in UTC: only an instant comparison is right.
    evening = (v.end % MIN_PER_DAY) >= 17 * 60 + 30
    older = (day < end_day - 6) & (day >= end_day - 60) & (v.status == COMPLETED) & evening
    stale = pick(older, max(3, round(10 * scale)))
    v.updated[stale] = v.end[stale] + rng.integers(60, 91, len(stale))
    return SecondDrop(
        updates=np.sort(np.concatenate([done, noshow])),
        stale=stale,
        stale_old_updated=v.updated[stale] - 20,
    )


# ---- bad rows ----------------------------------------------------------------------


def bad_rows(ctx: dict) -> tuple[dict[str, list[tuple[dict, int]]], list[dict]]:
    """Rows with exactly one defect each, keyed so the key appears nowhere else.

    ctx gives valid values to fill the other columns and the row counts per file,
    so bad ids can be placed past the real ones. Returns rows per file (with the
    insert position) and their truth.json records."""
    pat, prov, loc, svc = (
        ctx["patient_id"],
        ctx["provider_id"],
        ctx["location_id"],
        ctx["service_id"],
    )
    when = ctx["timestamp"]
    apt = ctx["n_appointments"] + 1001
    line = ctx["n_lines"] + 1001
    inv = ctx["n_invoices"] + 1001
    lead = ctx["n_leads"] + 1001
    appointment = {
        "location_id": loc,
        "patient_id": pat,
        "provider_id": prov,
        "service_id": svc,
        "booked_at": ctx["booked"],
        "start_at": when,
        "end_at": ctx["timestamp_end"],
        "status": "completed",
        "updated_at": when,
    }
    invoice_line = {
        "location_id": loc,
        "patient_id": pat,
        "provider_id": prov,
        "service_id": svc,
        "item_type": "service",
        "quantity": "1",
        "unit_price": "250.00",
        "discount": "0.00",
        "tax": "0.00",
        "tip": "0.00",
        "invoice_status": "closed",
        "issued_at": when,
        "updated_at": when,
    }
    specs = [
        (
            "appointments",
            {"appointment_id": f"apt_{apt:07d}", "start_at": "not-a-date"},
            "start_at",
            "unparseable_timestamp",
            appointment,
        ),
        (
            "appointments",
            {"appointment_id": f"apt_{apt + 1:07d}", "status": "showed"},
            "status",
            "unknown_status",
            appointment,
        ),
        ("appointments", {"appointment_id": ""}, "appointment_id", "empty_key", appointment),
        (
            "invoice_lines",
            {
                "line_id": f"line_{line:07d}",
                "invoice_id": f"inv_{inv:07d}",
                "issued_at": "2025-02-30T10:00:00",
            },
            "issued_at",
            "impossible_date",
            invoice_line,
        ),
        (
            "invoice_lines",
            {
                "line_id": f"line_{line + 1:07d}",
                "invoice_id": f"inv_{inv + 1:07d}",
                "item_type": "voucher",
            },
            "item_type",
            "unknown_item_type",
            invoice_line,
        ),
        (
            "invoice_lines",
            {
                "line_id": f"line_{line + 2:07d}",
                "invoice_id": f"inv_{inv + 2:07d}",
                "invoice_status": "paid",
            },
            "invoice_status",
            "unknown_invoice_status",
            invoice_line,
        ),
        (
            "invoice_lines",
            {
                "line_id": f"line_{line + 3:07d}",
                "invoice_id": f"inv_{inv + 3:07d}",
                "unit_price": "12,5x",
            },
            "unit_price",
            "non_numeric_amount",
            invoice_line,
        ),
        (
            "leads",
            {
                "lead_id": f"lead_{lead:06d}",
                "clinic_id": cat.CLINIC_ID,
                "created_at": when,
                "email": "nobody.bad@example.org",
                "platform": "snapchat_ads",
            },
            "platform",
            "unknown_platform",
            {},
        ),
        (
            "ad_spend",
            {
                "date": ctx["bad_spend_date"],
                "platform": "bing_ads",
                "campaign_id": "b_901",
                "clinic_id": cat.CLINIC_ID,
                "account_id": "bing-0001",
                "campaign_name": "Search - Brand",
                "spend": "42.00",
                "impressions": "900",
                "clicks": "31",
                "currency": cat.CURRENCY,
            },
            "platform",
            "unknown_platform",
            {},
        ),
        (
            "services",
            {
                "service_id": "svc_99",
                "name": "Aesthetic Bundle",
                "category": "aesthetics",
                "is_consultation": "false",
            },
            "category",
            "unknown_category",
            {},
        ),
    ]
    per_file: dict[str, list[tuple[dict, int]]] = {}
    truth = []
    for entity, values, column, kind, base in specs:
        row = {**base, **values}
        rows = per_file.setdefault(entity, [])
        n = ctx["rows"][entity]
        rows.append((row, (len(rows) + 1) * n // 4))  # spread through the file
        if entity == "ad_spend":  # composite key
            key = {c: row[c] for c in ("clinic_id", "date", "platform", "campaign_id")}
        else:
            key = row[ctx["keys"][entity]] or None
        truth.append(
            {
                "entity": entity,
                "file": f"{entity}.csv",
                "key": key,
                "column": column,
                "kind": kind,
                "value": row[column],
            }
        )
    return per_file, truth
