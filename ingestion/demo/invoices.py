"""Invoice lines: what each completed visit was billed, plus the billing noise that
must not count as revenue (consult fees, retail, gift cards, tips, tax, open and
void invoices, refunds).

Average ticket is planted per provider: once every ticket's kind is known (treatment,
consult fee only, retail only) the treatment amounts are drawn with the mean that
makes the provider's expected mean over *all* positive tickets equal the planted
`avg_ticket`, so the mart's number (which counts fee and retail tickets too) is
what truth.json says, up to sampling noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingestion.values import INVOICE_STATUSES, ITEM_TYPES

from . import catalog as cat
from .timeutil import MIN_PER_DAY
from .visits import (
    COMPLETED,
    CONSULT,
    MAINTENANCE,
    RESCHEDULE,
    TREATMENT,
    WALK_IN,
    Episodes,
    Visits,
    other_provider,
)

# a code is the value's index in ingestion/values.py
SERVICE, PRODUCT, PACKAGE, MEMBERSHIP, GIFT_CARD = map(
    ITEM_TYPES.index, ("service", "product", "package", "membership", "gift_card")
)
OPEN, CLOSED, VOID = map(INVOICE_STATUSES.index, ("open", "closed", "void"))
# Invoice kinds (internal): a visit's treatment bill, a consult fee alone, retail alone,
# a gift card, an open or void invoice, a refund, a $0 package redemption.
K_TREAT, K_FEE, K_RETAIL, K_GIFT, K_OPEN, K_VOID, K_REFUND, K_REDEEM = range(8)

FEE_P = 0.3
RETAIL_ADDON_P = 0.25
RETAIL_ONLY_P = 0.12  # of unconverted consults: a product bought within the window
GIFT_P = 0.015
OPEN_P = VOID_P = 0.025  # of unconverted consults: treatment lines that must not count
REDEEM_P = 0.1  # maintenance visits paid by an earlier package ($0 line)
PARTIAL_REFUND_P = 0.02
FULL_REFUND_P = 0.015
VOID_COPY_P = 0.01  # a real invoice voided and re-issued
AMOUNT_SHAPE = 8.0  # gamma shape of treatment amounts (CV ~0.35)


@dataclass
class Lines:
    invoice: np.ndarray  # temp invoice number, ordered later
    inv_kind: np.ndarray
    patient: np.ndarray
    provider: np.ndarray
    loc: np.ndarray
    visit: np.ndarray  # row in Visits or -1
    service: np.ndarray  # -1 = none
    item: np.ndarray
    quantity: np.ndarray
    unit_price: np.ndarray  # cents
    discount: np.ndarray
    tax: np.ndarray
    tip: np.ndarray
    status: np.ndarray
    issued: np.ndarray  # local minutes
    updated: np.ndarray
    refund_of: np.ndarray  # line index or -1
    treatment_part: np.ndarray  # planted treatment revenue of the line (cents, after refunds)


def _explode(counts: np.ndarray):
    """Parent index and position for counts[i] children of each parent i."""
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(len(parent)) - starts[parent]


def build_lines(rng, v: Visits, ep: Episodes, end_day: int) -> Lines:
    inv = _invoices(rng, v, ep, end_day)
    retail = _retail(rng, inv)
    _choose_refunds(rng, inv, retail, end_day)
    part = _treatment_amounts(rng, inv, retail)
    treat, lead = _treatment_lines(rng, inv, part)
    blocks = [treat, _fee_lines(inv), _retail_lines(rng, inv, retail), _gift_lines(rng, inv)]
    lines = {k: np.concatenate([b[k] for b in blocks]) for k in treat}
    lines = _add_refunds(rng, lines, inv, lead, end_day)
    lines = _add_void_copies(rng, lines, inv)
    n = len(lines["invoice"])
    lines["updated"] = lines["issued"] + np.select(
        [lines["status"] == OPEN, lines["status"] == VOID],
        [np.zeros(n, dtype=np.int64), rng.integers(5, 121, n)],
        rng.integers(0, 31, n),
    )
    return Lines(**lines)


def _invoices(rng, v: Visits, ep: Episodes, end_day: int) -> dict[str, np.ndarray]:
    """One row per invoice: which visit (or consult window) it comes from and when."""
    day = v.start // MIN_PER_DAY
    n_vis = len(day)
    done = v.status == COMPLETED
    held = done & np.isin(v.kind, [CONSULT, RESCHEDULE])
    e = np.maximum(v.episode, 0)
    conv = ep.converted[e] & (v.episode >= 0)
    same_day = conv & (ep.offset[e] == 0)

    fee = np.where(held & (rng.random(n_vis) < FEE_P), cat.SERVICE_FEE_CENTS[v.service], 0)
    # A consult fee on the day of the converting treatment joins the treatment invoice.
    fee_on_tx = np.zeros(len(ep.held), dtype=np.int64)
    joins = held & same_day & (fee > 0)
    fee_on_tx[v.episode[joins]] = fee[joins]
    treat = done & np.isin(v.kind, [TREATMENT, MAINTENANCE, WALK_IN])
    redeem = treat & (v.kind == MAINTENANCE) & (rng.random(n_vis) < REDEEM_P)
    treat &= ~redeem
    after_visit = v.end + rng.integers(0, 11, n_vis)

    parts = []

    def add(kind, mask, when_day, issued, inv_fee=None):
        idx = np.flatnonzero(mask)
        parts.append(
            {
                "kind": np.full(len(idx), kind),
                "src": idx,
                "visit": idx if kind in (K_TREAT, K_FEE, K_REDEEM) else np.full(len(idx), -1),
                "day": when_day[idx],
                "issued": issued[idx],
                "fee": np.zeros(len(idx), dtype=np.int64) if inv_fee is None else inv_fee[idx],
            }
        )

    tx_fee = np.where(v.kind == TREATMENT, fee_on_tx[e], 0)
    add(K_TREAT, treat, day, after_visit, tx_fee)
    add(K_FEE, held & (fee > 0) & ~same_day, day, after_visit, fee)
    add(K_REDEEM, redeem, day, after_visit)
    add(K_GIFT, done & (rng.random(n_vis) < GIFT_P), day, v.end + rng.integers(15, 41, n_vis))
    # Noise inside the 30-day window of unconverted consults: none of it converts.
    unconverted = held & ~conv
    for kind, p, lo in ((K_RETAIL, RETAIL_ONLY_P, 0), (K_OPEN, OPEN_P, 1), (K_VOID, VOID_P, 1)):
        d = day + rng.integers(lo, cat.CONVERSION_WINDOW_DAYS + 1, n_vis)
        when = d * MIN_PER_DAY + rng.integers(10 * 60, 18 * 60, n_vis)
        add(kind, unconverted & (rng.random(n_vis) < p) & (d <= end_day), d, when)
    inv = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    src = inv["src"]
    inv.update(
        patient=v.patient[src],
        loc=v.loc[src],
        provider=v.provider[src],
        visit_kind=v.kind[src],
        visit_service=v.service[src],
        category=v.category[src],
        status=np.select([inv["kind"] == K_OPEN, inv["kind"] == K_VOID], [OPEN, VOID], CLOSED),
    )
    return inv


def _retail(rng, inv: dict) -> dict[str, np.ndarray]:
    """Products: the whole of a retail-only invoice, an add-on on some treatment bills."""
    n = len(inv["kind"])
    is_treat = inv["kind"] == K_TREAT
    wants = (inv["kind"] == K_RETAIL) | (is_treat & (rng.random(n) < RETAIL_ADDON_P))
    count = np.where(wants, 1 + (rng.random(n) < 0.3), 0)
    parent, _ = _explode(count)
    qty = 1 + (rng.random(len(parent)) < 0.2)
    price = cat.RETAIL_PRICES_CENTS[rng.integers(0, len(cat.RETAIL_PRICES_CENTS), len(parent))]
    total = np.bincount(parent, weights=qty * price, minlength=n).astype(np.int64)
    return {"parent": parent, "qty": qty, "price": price, "count": count, "total": total}


def _choose_refunds(rng, inv: dict, retail: dict, end_day: int) -> None:
    """Full refunds only on single-line maintenance bills (never a conversion, whose
    revenue must stay > 0); partial refunds on any treatment bill. Both at least 25
    days before the end so the refund itself is dated in the data."""
    n = len(inv["kind"])
    is_treat = inv["kind"] == K_TREAT
    early = inv["day"] <= end_day - 25
    inv["full_refund"] = (
        is_treat
        & (inv["visit_kind"] == MAINTENANCE)
        & (retail["count"] == 0)
        & early
        & (rng.random(n) < FULL_REFUND_P)
    )
    inv["partial_refund"] = (
        is_treat & ~inv["full_refund"] & early & (rng.random(n) < PARTIAL_REFUND_P)
    )


def _treatment_amounts(rng, inv: dict, retail: dict) -> np.ndarray:
    """Each bill's treatment part (cents, after refunds), drawn so that every provider's
    positive tickets average the planted avg_ticket: the known fee and retail amounts
    are taken out of the provider's total and the rest is spread over treatment bills."""
    kind, provider = inv["kind"], inv["provider"]
    is_treat = kind == K_TREAT
    counted = (is_treat & ~inv["full_refund"]) | (kind == K_FEE) | (kind == K_RETAIL)
    n_prov = len(cat.PROVIDER_IDS)
    tickets = np.bincount(provider[counted], minlength=n_prov)
    known = np.bincount(
        provider[counted], weights=(retail["total"] + inv["fee"])[counted], minlength=n_prov
    )
    n_treat = np.bincount(provider[is_treat & ~inv["full_refund"]], minlength=n_prov)
    target = cat.AVG_TICKET * 100 * tickets - known
    mean_part = np.where(n_treat > 0, target / np.maximum(n_treat, 1), cat.AVG_TICKET * 100)
    if np.any(mean_part[n_treat > 0] <= 0):
        raise AssertionError("small tickets exceed a provider's planted average")
    # Open and void bills get amounts too; they count 0 whatever they are.
    billed = is_treat | (kind == K_OPEN) | (kind == K_VOID)
    draw = np.round(rng.gamma(AMOUNT_SHAPE, mean_part[provider] / AMOUNT_SHAPE))
    return np.where(billed, np.maximum(draw.astype(np.int64), 100), 0)


def _treatment_lines(rng, inv: dict, part: np.ndarray):
    """Split each bill's treatment part over 1-3 lines; price them; plant refunds on the
    first line (which then carries the refunded amount on top)."""
    kind = inv["kind"]
    n_inv = len(kind)
    is_treat = kind == K_TREAT
    n_lines = np.where(part > 0, rng.choice([1, 2, 3], size=n_inv, p=[0.35, 0.35, 0.3]), 0)
    n_lines = np.where(inv["full_refund"] | (kind == K_REDEEM), 1, n_lines)
    par, pos = _explode(n_lines)
    lead = pos == 0
    weights = rng.uniform(0.3, 1.0, len(par))
    share = weights / np.bincount(par, weights=weights, minlength=n_inv)[par]
    net = np.floor(part[par] * share).astype(np.int64)
    net[lead] += (part - np.bincount(par, weights=net, minlength=n_inv).astype(np.int64))[par[lead]]

    category = inv["category"]
    other_svc = np.where(
        category[par] >= 0,
        cat.TREATMENTS[np.maximum(category[par], 0), rng.integers(0, 3, len(par))],
        cat.WALKIN_SERVICES[rng.integers(0, len(cat.WALKIN_SERVICES), len(par))],
    )
    first_svc = np.where(
        np.isin(kind, [K_OPEN, K_VOID]),  # no visit: a treatment of the consult's category
        cat.TREATMENTS[np.maximum(category, 0), rng.integers(0, 3, n_inv)],
        inv["visit_service"],
    )
    service = np.where(lead, first_svc[par], other_svc)
    first_item = np.where(
        is_treat & (inv["visit_kind"] == TREATMENT),  # conversions: some packages, memberships
        rng.choice([SERVICE, PACKAGE, MEMBERSHIP], size=n_inv, p=[0.75, 0.15, 0.10]),
        SERVICE,
    )
    first_item = np.where(kind == K_REDEEM, PACKAGE, first_item)  # a $0 package session
    item = np.where(lead, first_item[par], SERVICE)
    service = np.where(item == MEMBERSHIP, cat.MEMBERSHIP_SERVICE, service)

    refund = np.zeros(len(par), dtype=np.int64)
    partial = lead & inv["partial_refund"][par]
    refund[partial] = np.round(net[partial] * rng.uniform(0.2, 0.5, partial.sum()))
    full = lead & inv["full_refund"][par]
    refund[full] = net[full]
    gross = np.where(full, net, net + refund)
    kept = np.where(full, 0, net)
    qty, price, discount = _price(rng, gross, service, item)
    tip = np.where(
        (item == SERVICE) & (rng.random(len(par)) < 0.4),
        np.round(gross * rng.uniform(0.1, 0.2, len(par))).astype(np.int64),
        0,
    )
    lines = _block(inv, par, service, item, qty, price, discount, tip=tip)
    lines["treatment_part"] = np.where(is_treat[par], kept, 0)
    inv["refund_amount"] = np.zeros(n_inv, dtype=np.int64)
    inv["refund_amount"][par[lead]] = refund[lead]
    return lines, np.flatnonzero(lead)  # line index of each bill's first treatment line


def _fee_lines(inv: dict) -> dict:
    par = np.flatnonzero(inv["fee"] > 0)
    service = cat.CONSULT_SERVICE[np.maximum(inv["category"][par], 0)]
    ones = np.ones(len(par), dtype=np.int64)
    return _block(inv, par, service, ones * SERVICE, ones, inv["fee"][par], ones * 0)


def _retail_lines(rng, inv: dict, retail: dict) -> dict:
    par, qty, price = retail["parent"], retail["qty"], retail["price"]
    service = cat.RETAIL_SERVICES[rng.integers(0, len(cat.RETAIL_SERVICES), len(par))]
    tax = np.round(qty * price * cat.PRODUCT_TAX_RATE).astype(np.int64)
    return _block(inv, par, service, np.full(len(par), PRODUCT), qty, price, qty * 0, tax=tax)


def _gift_lines(rng, inv: dict) -> dict:
    par = np.flatnonzero(inv["kind"] == K_GIFT)
    amount = np.array([5000, 10000, 15000, 20000, 25000, 50000])[rng.integers(0, 6, len(par))]
    ones = np.ones(len(par), dtype=np.int64)
    return _block(inv, par, -ones, ones * GIFT_CARD, ones, amount, ones * 0)


def _block(inv, par, service, item, qty, price, discount, tax=None, tip=None) -> dict:
    """Lines of the invoices `par` (one entry per line)."""
    zeros = np.zeros(len(par), dtype=np.int64)
    return {
        "invoice": par,
        "inv_kind": inv["kind"][par],
        "patient": inv["patient"][par],
        "provider": inv["provider"][par],
        "loc": inv["loc"][par],
        "visit": inv["visit"][par],
        "service": service,
        "item": item,
        "quantity": qty,
        "unit_price": price,
        "discount": discount,
        "tax": zeros if tax is None else tax,
        "tip": zeros if tip is None else tip,
        "status": inv["status"][par],
        "issued": inv["issued"][par],
        "refund_of": np.full(len(par), -1),
        "treatment_part": zeros,
    }


def _add_refunds(rng, lines: dict, inv: dict, lead: np.ndarray, end_day: int) -> dict:
    """A refund is its own closed invoice, dated later, sometimes rung up by a colleague;
    half carry a negative quantity, half a negative unit price."""
    orig = lead[inv["refund_amount"][lines["invoice"][lead]] > 0]
    bill = lines["invoice"][orig]
    m = len(orig)
    amount = inv["refund_amount"][bill]
    day = np.minimum(inv["day"][bill] + rng.integers(2, 21, m), end_day)
    loc, provider = inv["loc"][bill], inv["provider"][bill]
    colleague = rng.random(m) < 0.15
    neg_qty = rng.random(m) < 0.5
    zeros = np.zeros(m, dtype=np.int64)
    refund = {
        "invoice": len(inv["kind"]) + np.arange(m),
        "inv_kind": np.full(m, K_REFUND),
        "patient": inv["patient"][bill],
        "provider": np.where(colleague, other_provider(rng, loc, provider), provider),
        "loc": loc,
        "visit": np.full(m, -1),
        "service": lines["service"][orig],
        "item": lines["item"][orig],
        "quantity": np.where(neg_qty, -1, 1),
        "unit_price": np.where(neg_qty, amount, -amount),
        "discount": zeros,
        "tax": zeros,
        "tip": zeros,
        "status": np.full(m, CLOSED),
        "issued": day * MIN_PER_DAY + rng.integers(10 * 60, 18 * 60, m),
        "refund_of": orig,
        "treatment_part": zeros,
    }
    return {k: np.concatenate([lines[k], refund[k]]) for k in lines}


def _add_void_copies(rng, lines: dict, inv: dict) -> dict:
    """A few real bills were issued, voided and issued again: the void copy (same
    appointment, 20 minutes earlier) must count 0."""
    n_inv = len(inv["kind"])
    copied = np.flatnonzero((inv["kind"] == K_TREAT) & (rng.random(n_inv) < VOID_COPY_P))
    sel = np.flatnonzero(np.isin(lines["invoice"], copied) & (lines["refund_of"] < 0))
    new_number = np.full(n_inv, -1)
    new_number[copied] = lines["invoice"].max() + 1 + np.arange(len(copied))
    dup = {k: val[sel].copy() for k, val in lines.items()}
    dup["invoice"] = new_number[dup["invoice"]]
    dup["inv_kind"][:] = K_VOID
    dup["status"][:] = VOID
    dup["issued"] -= 20
    dup["treatment_part"][:] = 0
    return {k: np.concatenate([lines[k], dup[k]]) for k in lines}


def _price(rng, net: np.ndarray, service: np.ndarray, item: np.ndarray):
    """quantity, unit_price, discount (cents) with quantity*price - discount = net:
    neurotoxin by the unit, some lines with a promo discount."""
    n = len(net)
    units = (service == cat.NEUROTOXIN) & (item == SERVICE)
    q = np.where(units, rng.integers(20, 65, n), 1)
    up = -(-net // q)  # ceil
    disc = q * up - net
    promo = ~units & (rng.random(n) < 0.15)
    rate = np.array([10, 15, 20])[rng.integers(0, 3, n)]
    promo_up = np.round(net * 100 / (100 - rate)).astype(np.int64)
    up = np.where(promo, promo_up, up)
    disc = np.where(promo, promo_up - net, disc)
    return q, up, disc
