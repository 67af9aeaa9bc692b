"""Internal arrays -> the canonical CSV columns of METRICS.md section 1 (in order)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ingestion.files.entities import ENTITIES

from . import catalog as cat
from . import writer as w
from .invoices import INVOICE_STATUSES, ITEM_TYPES, Lines
from .mess import SecondDrop, forms
from .timeutil import FORM_OFFSET, FORM_Z, format_dates, format_timestamps
from .visits import BOOKED, STATUSES, Visits

# The header of each file: the loader's spec of METRICS.md section 1, in its order.
COLUMNS = {name: tuple(entity.column_names) for name, entity in ENTITIES.items()}
KEYS = {name: entity.key[0] for name, entity in ENTITIES.items() if len(entity.key) == 1}


def _ts(rng, local_min, loc, valid=None, form=None):
    f = forms(rng, len(local_min)) if form is None else form
    return format_timestamps(np.asarray(local_min), np.asarray(loc), f, cat.TIMEZONES, valid)


def static_tables() -> dict[str, dict[str, pa.Array]]:
    n_loc, n_prov = len(cat.LOCATION_IDS), len(cat.PROVIDER_IDS)
    active = np.ones(n_prov, dtype=np.int64)
    active[cat.INACTIVE_PROVIDER] = 0
    return {
        "locations": {
            "location_id": w.text(cat.LOCATION_IDS),
            "clinic_id": w.text([cat.CLINIC_ID] * n_loc),
            "name": w.text(cat.LOCATION_NAMES),
            "timezone": w.text(cat.TIMEZONES),
        },
        "providers": {
            "provider_id": w.text(cat.PROVIDER_IDS),
            "location_id": w.labels(cat.PROVIDER_LOCATION, cat.LOCATION_IDS),
            "name": w.text(cat.PROVIDER_NAMES),
            "role": w.text(cat.PROVIDER_ROLES),
            "active": w.bools(active),
        },
        "services": {
            "service_id": w.text(cat.SERVICE_IDS),
            "name": w.text([s[1] for s in cat.SERVICES]),
            "category": w.text([s[2] for s in cat.SERVICES]),
            "is_consultation": w.bools(np.array([s[3] for s in cat.SERVICES])),
        },
    }


def appointment_numbers(v: Visits) -> np.ndarray:
    """apt number per Visits row, assigned in (start, patient) order."""
    order = np.lexsort((v.patient, v.start))
    num = np.empty(len(order), dtype=np.int64)
    num[order] = np.arange(1, len(order) + 1)
    return num


def appointments_table(rng, v: Visits, num, rows, status, cancelled, updated, updated_form=None):
    """The given Visits rows (in that order) with the given status/cancel/updated."""
    loc = v.loc[rows]
    return {
        "appointment_id": w.ids("apt_", num[rows], 7),
        "location_id": w.labels(loc, cat.LOCATION_IDS),
        "patient_id": w.ids("pat_", v.patient[rows] + 1, 6),
        "provider_id": w.labels(v.provider[rows], cat.PROVIDER_IDS),
        "service_id": w.labels(v.service[rows], cat.SERVICE_IDS),
        "booked_at": _ts(rng, v.booked[rows], loc),
        "start_at": _ts(rng, v.start[rows], loc),
        "end_at": _ts(rng, v.end[rows], loc),
        "status": w.labels(status, STATUSES),
        "cancelled_at": _ts(rng, np.maximum(cancelled, 0), loc, valid=cancelled >= 0),
        "updated_at": _ts(rng, updated, loc, form=updated_form),
    }


def appointment_files(rng, v: Visits, drop: SecondDrop, num: np.ndarray):
    """appointments.csv (an earlier export: the drop's updates still 'booked') and the
    later drop (the outcomes, plus stale older versions of other rows)."""
    by_id = np.argsort(num)
    status, cancelled, updated = v.status.copy(), v.cancelled.copy(), v.updated.copy()
    status[drop.updates] = BOOKED
    cancelled[drop.updates] = -1
    updated[drop.updates] = v.booked[drop.updates]
    form = forms(rng, len(by_id))
    form[np.isin(by_id, drop.stale)] = FORM_OFFSET  # newer version, offset form
    first = appointments_table(
        rng, v, num, by_id, status[by_id], cancelled[by_id], updated[by_id], form
    )

    later = np.concatenate([drop.updates, drop.stale])
    later = later[np.argsort(num[later])]
    stale = np.isin(later, drop.stale)
    later_updated = v.updated[later].copy()
    later_updated[stale] = drop.stale_old_updated[np.searchsorted(drop.stale, later[stale])]
    second = appointments_table(
        rng,
        v,
        num,
        later,
        np.where(stale, BOOKED, v.status[later]),
        np.where(stale, -1, v.cancelled[later]),
        later_updated,
        np.where(stale, FORM_Z, forms(rng, len(later))),  # older version, UTC form
    )
    return first, second


def invoice_numbers(lines: Lines):
    """(line order, line number per line, invoice number per line) by issue time."""
    n = len(lines.invoice)
    order = np.lexsort((np.arange(n), lines.invoice, lines.issued))
    line_num = np.empty(n, dtype=np.int64)
    line_num[order] = np.arange(1, n + 1)
    _, first_pos = np.unique(lines.invoice[order], return_index=True)
    rank = np.empty(len(first_pos), dtype=np.int64)
    rank[np.argsort(first_pos, kind="stable")] = np.arange(1, len(first_pos) + 1)
    inv_num = rank[np.searchsorted(np.unique(lines.invoice), lines.invoice)]
    return order, line_num, inv_num


def invoice_table(rng, lines: Lines, apt_num, order, line_num, inv_num, utc_evening):
    o = order
    loc = lines.loc[o]
    has_visit = lines.visit[o] >= 0
    refund = lines.refund_of[o] >= 0
    issued_form = np.where(utc_evening[o], FORM_Z, forms(rng, len(o)))
    return {
        "line_id": w.ids("line_", line_num[o], 7),
        "invoice_id": w.ids("inv_", inv_num[o], 7),
        "location_id": w.labels(loc, cat.LOCATION_IDS),
        "patient_id": w.ids("pat_", lines.patient[o] + 1, 6),
        "provider_id": w.labels(lines.provider[o], cat.PROVIDER_IDS),
        "appointment_id": w.ids("apt_", apt_num[np.maximum(lines.visit[o], 0)], 7, valid=has_visit),
        "service_id": w.labels(lines.service[o], cat.SERVICE_IDS),
        "item_type": w.labels(lines.item[o], ITEM_TYPES),
        "quantity": w.integers(lines.quantity[o]),
        "unit_price": w.money(lines.unit_price[o]),
        "discount": w.money(lines.discount[o]),
        "tax": w.money(lines.tax[o]),
        "tip": w.money(lines.tip[o]),
        "invoice_status": w.labels(lines.status[o], INVOICE_STATUSES),
        "issued_at": _ts(rng, lines.issued[o], loc, form=issued_form),
        "refund_of_line_id": w.ids(
            "line_", line_num[np.maximum(lines.refund_of[o], 0)], 7, valid=refund
        ),
        "updated_at": _ts(rng, lines.updated[o], loc),
    }


def shifts_table(rng, s: dict) -> dict[str, pa.Array]:
    n = len(s["provider"])
    return {
        "shift_id": w.ids("shift_", np.arange(1, n + 1), 6),
        "provider_id": w.labels(s["provider"], cat.PROVIDER_IDS),
        "location_id": w.labels(s["loc"], cat.LOCATION_IDS),
        "start_at": _ts(rng, s["start"], s["loc"]),
        "end_at": _ts(rng, s["end"], s["loc"]),
    }


def ad_table(rows: dict) -> dict[str, pa.Array]:
    c = rows["campaign"]
    n = len(c)
    return {
        "date": format_dates(rows["day"]),
        "platform": w.labels(c, [x[1] for x in cat.CAMPAIGNS]),
        "campaign_id": w.labels(c, [x[0] for x in cat.CAMPAIGNS]),
        "clinic_id": w.text([cat.CLINIC_ID] * n),
        "account_id": w.labels(c, [x[2] for x in cat.CAMPAIGNS]),
        "campaign_name": w.labels(c, [x[3] for x in cat.CAMPAIGNS]),
        "spend": w.money(rows["spend"]),
        "impressions": w.integers(rows["impressions"]),
        "clicks": w.integers(rows["clicks"]),
        "currency": w.text([cat.CURRENCY] * n),
    }
