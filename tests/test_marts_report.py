"""orchestration.cli.provider_table: the provider table read from marts.provider_performance."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.cli.provider_table import provider_table

WITHHELD_ALL = (
    "conversion_rate, revenue_per_consult_slot, revenue_per_consult_day, mix_adjusted_index, "
    "avg_ticket, return_rate_90d, return_rate_365d, rebooking_rate"
)


def _warehouse(path: Path) -> Path:
    """A warehouse holding only the two marts the table reads."""
    with duckdb.connect(str(path)) as con:
        con.sql("create schema marts")
        con.sql(
            """
            create table marts.dim_providers as
            select * from (values
                ('pr_a', 'Zoe Adams'),
                ('pr_b', 'Ben Cole'),
                ('pr_c', 'Ana Diaz')
            ) as t(provider_id, provider_name)
            """
        )
        con.sql(
            f"""
            create table marts.provider_performance as
            select * from (values
                ('c1', 'pr_a', 'trailing_90d', date '2026-07-03', date '2026-09-30',
                 40, 30, 0.5::decimal(18,6), 0.332::decimal(18,6), 0.668::decimal(18,6),
                 812.5::decimal(18,2), 0.25::decimal(18,6), 0.0::decimal(18,6),
                 0.8::decimal(18,6), 'ok'),
                ('c1', 'pr_b', 'trailing_90d', date '2026-07-03', date '2026-09-30',
                 12, 5, null, null, null, null, null, null, null, '{WITHHELD_ALL}'),
                ('c1', 'pr_c', 'trailing_90d', date '2026-07-03', date '2026-09-30',
                 25, 22, 0.0::decimal(18,6), 0.0::decimal(18,6), 0.15::decimal(18,6),
                 null, 0.4::decimal(18,6), 0.3::decimal(18,6), null, 'avg_ticket'),
                ('c1', 'pr_a', 'calendar_quarter', date '2026-07-01', date '2026-09-30',
                 99, 99, 0.9::decimal(18,6), 0.8::decimal(18,6), 0.95::decimal(18,6),
                 1.0::decimal(18,2), 0.9::decimal(18,6), 0.9::decimal(18,6),
                 0.9::decimal(18,6), 'ok')
            ) as t(clinic_id, provider_id, period_type, period_start, period_end,
                   consults_held, consults_mature, conversion_rate, conversion_ci_low,
                   conversion_ci_high, avg_ticket, return_rate_90d, rebooking_rate,
                   utilization, sample_status)
            """
        )
    return path


def _rows(table: str) -> dict[str, str]:
    return {
        line.split("  ")[0]: line
        for line in table.splitlines()
        if line.startswith(("Zoe", "Ben", "Ana"))
    }


def test_trailing_rows_in_name_order_with_conversion_interval(tmp_path):
    table = provider_table(_warehouse(tmp_path / "w.duckdb"))

    assert "trailing 90 days, 2026-07-03 to 2026-09-30 (the as-of date)" in table
    names = [
        line.split("  ")[0] for line in table.splitlines() if line.startswith(("Zoe", "Ben", "Ana"))
    ]
    assert names == ["Ana Diaz", "Ben Cole", "Zoe Adams"]  # by name: no ranking
    zoe = _rows(table)["Zoe Adams"]
    assert "50.0% (33%-67%)" in zoe
    assert "812.50" in zoe and "25.0%" in zoe and "80.0%" in zoe and zoe.endswith("ok")
    assert "0.0%" in zoe  # a published rate of 0 is shown as 0
    assert "90.0%" not in table  # the calendar-quarter row is not in this table


def test_withheld_rates_read_withheld_never_zero(tmp_path):
    rows = _rows(provider_table(_warehouse(tmp_path / "w.duckdb")))

    ben = rows["Ben Cole"]
    assert ben.count("withheld") == 4  # conversion, avg ticket, 90d return, rebooking
    assert "0.0%" not in ben and " 0 " not in ben
    ana = rows["Ana Diaz"]
    assert ana.count("withheld") == 1  # only avg_ticket is below its threshold
    assert "0.0% (0%-15%)" in ana  # zero conversions out of enough consults is a real 0
    assert "n/a" in ana  # utilization without shifts is not withheld, just undefined


def test_says_where_the_marts_are(tmp_path):
    warehouse = _warehouse(tmp_path / "w.duckdb")
    table = provider_table(warehouse)

    assert table.splitlines()[-1] == (
        f"marts: schema `marts` in {warehouse.resolve()} (DuckDB; open it read-only)"
    )
    # read-only: another reader (or the report itself, twice) can open the file meanwhile
    with duckdb.connect(str(warehouse), read_only=True):
        assert provider_table(warehouse) == table
