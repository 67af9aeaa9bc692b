"""Freshness per source: how many days the latest dated row of each source's staged table
of a dated entity lags behind a reference date, per clinic (the clinics and the derived
as-of dates read every source's staged rows). The reference is the as-of date (the
explicit one, else METRICS.md's: the clinic's latest completed appointment or closed
invoice line), so a feed that stopped while the others went on shows; or today, for a
live daily feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ingestion import registry
from ingestion.values import PAST_STATUSES, sql_list

from .outcome import Outcome, markdown_table
from .warehouse import Connection, relation_exists


@dataclass(frozen=True)
class Source:
    relation: str
    date_column: str  # the local date of the event
    where: str  # which rows count (an upcoming booking does not)
    warn_after_days: int
    error_after_days: int
    # only the clinics this table has rows for (an API source may serve some clinics of
    # the warehouse); the file exports answer for every clinic, so a missing one warns
    own_clinics_only: bool = False


# Per dated canonical entity: (date column, which rows count, warn after, error after).
DATED = {
    "appointments": ("start_date", f"status in {sql_list(PAST_STATUSES)}", 3, 14),
    "invoice_lines": ("issued_date", "invoice_status = 'closed'", 3, 14),
    "leads": ("created_date", "true", 7, 30),
    "ad_spend": ("spend_date", "true", 3, 14),
    "patients": ("created_date", "true", 30, 90),
    "provider_shifts": ("start_date", "true", 7, 30),
}


def staged_source(source: str, entity: str) -> Source:
    """The freshness of one source's staged entity (every source of the registry that
    stages a dated entity gets one)."""
    return Source(
        f"staging.stg_{source}__{entity}",
        *DATED[entity],
        own_clinics_only=source != registry.FILE_SOURCE,
    )


SOURCES: dict[str, Source] = {e: staged_source(registry.FILE_SOURCE, e) for e in DATED}


def _staged(con: Connection, entity: str, select: str, where: str = "true") -> str:
    """`select` over every source's staged `entity` present in the warehouse."""
    parts = [
        f"select {select} from staging.stg_{s}__{entity} where {where}"
        for s in registry.carriers()[entity]
        if relation_exists(con, "staging", f"stg_{s}__{entity}")
    ]
    return " union all ".join(parts) or f"select {select} from (select 1) as none where false"


def _derived_as_of(con: Connection) -> str:
    activity = " union all ".join(
        (
            _staged(con, "appointments", "clinic_id, start_date", "status = 'completed'"),
            _staged(con, "invoice_lines", "clinic_id, issued_date", "invoice_status = 'closed'"),
        )
    )
    return f"""
    select clinic_id, max(start_date) as reference_date
    from ({activity}) as activity
    where clinic_id is not null
    group by clinic_id
"""


def reference_sql(con: Connection, reference: str, as_of: str | None) -> str:
    """Per clinic (of any source's staged locations), the date lags are measured against."""
    clinics = f"select distinct clinic_id from ({_staged(con, 'locations', 'clinic_id')})"
    if as_of:
        date.fromisoformat(as_of)
        return f"select clinic_id, date '{as_of}' as reference_date from ({clinics})"
    if reference == "today":
        return f"select clinic_id, current_date as reference_date from ({clinics})"
    if reference != "as_of":
        raise ValueError(f"reference must be 'as_of' or 'today', not {reference!r}")
    return _derived_as_of(con)


def freshness_outcome(
    con: Connection,
    source: Source,
    reference: str = "as_of",
    as_of: str | None = None,
    warn_after_days: int | None = None,
    error_after_days: int | None = None,
) -> Outcome:
    warn = source.warn_after_days if warn_after_days is None else warn_after_days
    error = source.error_after_days if error_after_days is None else error_after_days
    if not relation_exists(con, *source.relation.split(".")):
        return Outcome(False, "ERROR", f"cannot measure freshness: {source.relation} missing")
    rows = con.execute(
        f"""
        with reference as ({reference_sql(con, reference, as_of)}),
        latest as (
            select clinic_id, max({source.date_column}) as latest_date
            from {source.relation}
            where {source.where} and {source.date_column} is not null
            group by clinic_id
        )
        select
            reference.clinic_id,
            latest.latest_date,
            reference.reference_date,
            greatest(reference.reference_date - latest.latest_date, 0) as lag
        from reference
        {"inner" if source.own_clinics_only else "left"} join latest
            on latest.clinic_id = reference.clinic_id
        order by lag desc nulls first, reference.clinic_id
        """
    ).fetchall()
    if not rows and source.own_clinics_only:
        return Outcome(False, "WARN", f"no dated rows in {source.relation}")
    metadata = {
        "reference": f"as-of {as_of}" if as_of else reference,
        "warn_after_days": warn,
        "error_after_days": error,
        "lag_days": {r[0]: r[3] for r in rows},
        "latest_date": {r[0]: str(r[1]) if r[1] else None for r in rows},
    }
    details = markdown_table(
        ["clinic", "latest date", "reference date", "lag (days)"],
        [(r[0], r[1], r[2], r[3]) for r in rows],
    )
    empty = [r[0] for r in rows if r[1] is None]
    stale_error = [r for r in rows if r[3] is not None and r[3] > error]
    stale_warn = [r for r in rows if r[3] is not None and r[3] > warn]
    if stale_error:
        worst = stale_error[0]
        return Outcome(
            False,
            "ERROR",
            f"{worst[0]}: latest {worst[1]} is {worst[3]} days behind {worst[2]}"
            f" (error after {error})",
            metadata,
            details,
        )
    if stale_warn or empty:
        what = (
            f"{stale_warn[0][0]}: latest {stale_warn[0][1]} is {stale_warn[0][3]} days behind"
            f" {stale_warn[0][2]} (warn after {warn})"
            if stale_warn
            else f"no dated rows for {', '.join(empty)}"
        )
        return Outcome(False, "WARN", what, metadata, details)
    worst_lag = max((r[3] for r in rows), default=0)
    return Outcome(
        True, description=f"at most {worst_lag} day(s) behind the reference", metadata=metadata
    )
