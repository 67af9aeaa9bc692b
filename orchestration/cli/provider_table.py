"""The provider table printed at the end of `provider-view demo`: each provider's
trailing-90-day numbers from marts.provider_performance, read with a read-only connection.

Rows are in name order (METRICS.md section 6: no ranking), and a rate withheld for a
small sample reads "withheld", never 0.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from orchestration import settings
from orchestration.quality.warehouse import read_only_target

WITHHELD = "withheld"
NOT_APPLICABLE = "n/a"

_QUERY = """
select
    performance.clinic_id,
    coalesce(providers.provider_name, performance.provider_id) as provider_name,
    performance.period_start,
    performance.period_end,
    performance.consults_held,
    performance.consults_mature,
    performance.conversion_rate,
    performance.conversion_ci_low,
    performance.conversion_ci_high,
    performance.avg_ticket,
    performance.return_rate_90d,
    performance.rebooking_rate,
    performance.utilization,
    performance.sample_status
from marts.provider_performance as performance
left join marts.dim_providers as providers
    on providers.provider_id = performance.provider_id
where performance.period_type = 'trailing_90d'
order by performance.clinic_id, provider_name, performance.provider_id
"""

# (header, alignment) of each column, in order.
_COLUMNS = (
    ("provider", "<"),
    ("held", ">"),
    ("mature", ">"),
    ("conversion (95% CI)", ">"),
    ("avg ticket", ">"),
    ("90d return", ">"),
    ("rebooking", ">"),
    ("utilization", ">"),
    ("sample", "<"),
)


def provider_table(warehouse_path: str | Path) -> str:
    """A fixed-width table of every provider's trailing_90d row, one block per clinic,
    and a closing line saying where the marts are."""
    warehouse = Path(warehouse_path).resolve()
    with read_only_target(str(warehouse)) as con:
        rows = con.execute(_QUERY).fetchall()

    blocks = []
    for clinic_id in dict.fromkeys(r[0] for r in rows):
        clinic_rows = [r for r in rows if r[0] == clinic_id]
        start, end = clinic_rows[0][2], clinic_rows[0][3]
        title = f"Providers of {clinic_id}: the trailing 90 days, {start} to {end} (the as-of date)"
        blocks.append(title + "\n" + _table([_cells(r) for r in clinic_rows]))
    if not blocks:
        blocks.append("No provider has a trailing-90-day row yet (no appointments or tickets).")
    blocks.append(
        "Rates over too few cases are withheld (see sample); "
        "quarters and more are in marts.provider_performance."
    )
    if settings.target() == settings.DUCKDB:
        blocks.append(f"marts: schema `marts` in {warehouse} (DuckDB; open it read-only)")
    else:
        blocks.append(f"marts: schema `marts` in {settings.warehouse_location()}")
    return "\n\n".join(blocks)


def _cells(row: tuple) -> list[str]:
    (_, name, _, _, held, mature, rate, low, high, ticket, ret90, rebook, util, status) = row
    withheld = {s.strip() for s in status.split(",")} if status != "ok" else set()

    def shown(column: str, value, fmt) -> str:
        if column in withheld:
            return WITHHELD
        return NOT_APPLICABLE if value is None else fmt(value)

    conversion = shown(
        "conversion_rate",
        rate,
        lambda v: f"{_pct(v)} ({_pct(low, 0)}-{_pct(high, 0)})",
    )
    return [
        name,
        f"{held:,}",
        f"{mature:,}",
        conversion,
        shown("avg_ticket", ticket, lambda v: f"{Decimal(v):,.2f}"),
        shown("return_rate_90d", ret90, _pct),
        shown("rebooking_rate", rebook, _pct),
        shown("utilization", util, _pct),
        status,
    ]


def _pct(value, places: int = 1) -> str:
    return f"{float(value) * 100:.{places}f}%"


def _table(rows: list[list[str]]) -> str:
    widths = [
        max(len(header), *(len(r[i]) for r in rows)) for i, (header, _) in enumerate(_COLUMNS)
    ]

    def line(cells) -> str:
        return "  ".join(
            f"{cell:{align}{width}}"
            for cell, (_, align), width in zip(cells, _COLUMNS, widths, strict=True)
        ).rstrip()

    header = line([h for h, _ in _COLUMNS])
    return "\n".join([header, "-" * len(header), *(line(r) for r in rows)])
