"""Reconciliations: totals recomputed from the staged rows, by the rules of METRICS.md,
agree with the marts for every clinic and period (each calendar quarter up to the
as-of date, and the trailing 90 days).

"Staged rows" are read through the canonical unions (intermediate.int_*_unioned), which
are `union all`s of every source's staging model: the file exports today, API sources
as they are added. Each reconciliation names the mart it guards, the staged events
(clinic_id, event_date, one column per measure) and the mart's sums per period.
"""

from __future__ import annotations

from dataclasses import dataclass

from .outcome import Outcome, markdown_table
from .warehouse import Connection, missing_relations

_MONEY_TOLERANCE = 0.005
_SHOWN = 15

_CONSULT_SLOTS = """
    select
        appointments.clinic_id,
        appointments.start_date as event_date,
        1 as consult_slots,
        case when appointments.status = 'completed' then 1 else 0 end as consults_held
    from intermediate.int_appointments_unioned as appointments
    inner join intermediate.int_services_unioned as services
        on services.service_id = appointments.service_id
    where services.is_consultation
        and appointments.status in ('completed', 'no_show', 'late_cancelled')
"""

# METRICS.md section 2: line net = quantity * unit_price - discount on a closed, non
# gift-card line; a refund line's net is added to the line it refunds, on that line's
# date and provider, and counts 0 itself (a line that counts 0 stays 0).
_SALE_LINES = """
    with lines as (
        select
            *,
            invoice_status = 'closed' and item_type <> 'gift_card' as counts,
            case when invoice_status = 'closed' and item_type <> 'gift_card'
                then quantity * unit_price - coalesce(discount, 0) else 0 end as line_net
        from intermediate.int_invoice_lines_unioned
    ),
    refunds as (
        select refund_of_line_id as line_id, sum(line_net) as refunded
        from lines where refund_of_line_id is not null group by 1
    )
    select
        lines.clinic_id,
        lines.invoice_id,
        lines.provider_id,
        lines.issued_date,
        case when lines.counts then lines.line_net + coalesce(refunds.refunded, 0) else 0 end
            as net
    from lines
    left join refunds on refunds.line_id = lines.line_id
    where lines.refund_of_line_id is null
"""

_NET_REVENUE = f"""
    select clinic_id, issued_date as event_date, net as net_revenue
    from ({_SALE_LINES}) as sales
"""

# a ticket: an (invoice, provider) pair with positive summed net, on its first line's date
_TICKETS = f"""
    select clinic_id, min(issued_date) as event_date, 1 as tickets, sum(net) as ticket_revenue
    from ({_SALE_LINES}) as sales
    where provider_id is not null
    group by clinic_id, invoice_id, provider_id
    having sum(net) > 0
"""

_CAMPAIGN_INPUTS = """
    select clinic_id, spend_date as event_date, spend, 0 as leads
    from intermediate.int_ad_spend_unioned
    union all
    select clinic_id, created_date, 0, 1
    from intermediate.int_leads_unioned
"""


@dataclass(frozen=True)
class Reconciliation:
    name: str
    mart: str  # the relation whose asset the check sits on
    staged_events: str  # clinic_id, event_date, one column per measure
    measures: tuple[str, ...]
    money: bool
    rule: str  # what agrees with what, for the check's description
    # a fact table: its rows as events, put into periods the same way as staged ones;
    # without it the mart has a row per period and its measures are summed per period
    mart_events: str | None = None


RECONCILIATIONS = [
    Reconciliation(
        "spend_and_leads_reconcile",
        "marts.campaign_performance",
        _CAMPAIGN_INPUTS,
        ("spend", "leads"),
        money=True,
        rule="spend and leads per period = staged ad_spend and leads",
    ),
    Reconciliation(
        "consult_counts_reconcile",
        "marts.fct_consultations",
        _CONSULT_SLOTS,
        ("consult_slots", "consults_held"),
        money=False,
        rule="consultation slots and consults held per period = staged appointments",
        mart_events="""
            select clinic_id, consult_date as event_date, 1 as consult_slots,
                   case when is_held then 1 else 0 end as consults_held
            from marts.fct_consultations
        """,
    ),
    Reconciliation(
        "consults_and_tickets_reconcile",
        "marts.provider_performance",
        f"""
        select clinic_id, event_date, consult_slots, consults_held, 0 as tickets,
               0 as ticket_revenue
        from ({_CONSULT_SLOTS}) as consults
        union all
        select clinic_id, event_date, 0, 0, tickets, ticket_revenue from ({_TICKETS}) as t
        """,
        ("consult_slots", "consults_held", "tickets", "ticket_revenue"),
        money=True,
        rule="consult slots, tickets and ticket revenue of all providers per period"
        " = staged appointments and invoice lines",
    ),
    Reconciliation(
        "net_revenue_reconciles",
        "marts.fct_invoice_lines",
        _NET_REVENUE,
        ("net_revenue",),
        money=True,
        rule="refund-adjusted net revenue per period = staged invoice lines",
        mart_events="""
            select clinic_id, issued_date as event_date, net_amount as net_revenue
            from marts.fct_invoice_lines
        """,
    ),
]

_AS_OF = "select clinic_id, as_of_date from intermediate.int_as_of_dates_resolved"


def _per_period(events: str, measures: tuple[str, ...]) -> str:
    """Sums of the events dated on or before the as-of date, per period holding their
    date (METRICS.md section 3): the calendar quarter, and the trailing 90 days."""
    sums = ", ".join(f"sum({m}) as {m}" for m in measures)
    return f"""
        with dated as (
            select events.*, as_of.as_of_date
            from ({events}) as events
            inner join as_of on as_of.clinic_id = events.clinic_id
            where events.event_date <= as_of.as_of_date
        )
        select clinic_id, 'calendar_quarter' as period_type,
               cast(date_trunc('quarter', event_date) as date) as period_start, {sums}
        from dated group by clinic_id, cast(date_trunc('quarter', event_date) as date)
        union all
        select clinic_id, 'trailing_90d', cast(as_of_date - interval '89 day' as date), {sums}
        from dated where event_date > as_of_date - interval '90 day' group by clinic_id, as_of_date
    """


def reconcile(con: Connection, rec: Reconciliation) -> Outcome:
    needed = [
        rec.mart,
        "intermediate.int_as_of_dates_resolved",
        *(
            f"intermediate.int_{t}_unioned"
            for t in ("appointments", "services", "invoice_lines", "ad_spend", "leads")
        ),
    ]
    missing = missing_relations(con, needed)
    if missing:
        return Outcome(False, "ERROR", f"cannot reconcile: {', '.join(missing)} missing")
    if rec.mart_events:
        mart = _per_period(rec.mart_events, rec.measures)
    else:
        sums = ", ".join(f"sum({m}) as {m}" for m in rec.measures)
        mart = (
            f"select clinic_id, period_type, period_start, {sums} from {rec.mart}"
            " group by clinic_id, period_type, period_start"
        )
    columns = ", ".join(
        f"coalesce(s.{m}, 0) as staged_{m}, coalesce(m.{m}, 0) as mart_{m}" for m in rec.measures
    )
    rows = con.execute(
        f"""
        with as_of as ({_AS_OF}),
        staged as ({_per_period(rec.staged_events, rec.measures)}),
        mart as ({mart})
        select
            coalesce(s.clinic_id, m.clinic_id) as clinic_id,
            coalesce(s.period_type, m.period_type) as period_type,
            coalesce(s.period_start, m.period_start) as period_start,
            {columns}
        from staged as s
        full join mart as m
            on m.clinic_id = s.clinic_id
            and m.period_type = s.period_type
            and m.period_start = s.period_start
        order by 1, 2, 3
        """
    ).fetchall()
    tolerance = _MONEY_TOLERANCE if rec.money else 0
    off = []
    for row in rows:
        for i, measure in enumerate(rec.measures):
            staged_value, mart_value = row[3 + 2 * i], row[4 + 2 * i]
            if abs(float(staged_value) - float(mart_value)) > tolerance:
                off.append((row[0], row[1], row[2], measure, staged_value, mart_value))
    totals = {
        m: {
            "staged": float(sum(r[3 + 2 * i] for r in rows if r[1] == "calendar_quarter")),
            "mart": float(sum(r[4 + 2 * i] for r in rows if r[1] == "calendar_quarter")),
        }
        for i, m in enumerate(rec.measures)
    }
    metadata = {"periods_compared": len(rows), "periods_off": len(off), "totals": totals}
    if off:
        details = markdown_table(
            ["clinic", "period", "start", "measure", "staged", "mart", "difference"],
            [(*o, float(o[5]) - float(o[4])) for o in off[:_SHOWN]],
        )
        return Outcome(
            False,
            "ERROR",
            f"{len(off)} (period, measure) pairs disagree: {rec.rule}",
            metadata,
            details,
        )
    return Outcome(True, description=f"{len(rows)} periods agree: {rec.rule}", metadata=metadata)
