"""Every mart table read back from a DuckDB file and a PostgreSQL database in one
comparable form: columns in order, rows sorted, each number normalized to the precision
its column declares (in the DuckDB build, the reference): a decimal to its scale, an
integer as an int, a double to 10 significant digits."""

from __future__ import annotations

from decimal import Decimal

import duckdb

_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "UINTEGER")


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'marts' order by table_name"
        ).fetchall()
    ]


def declared_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str, int]]:
    """(column, DuckDB type, decimal scale or -1), in column order."""
    return con.execute(
        "select column_name, data_type, coalesce(numeric_scale, -1)"
        " from information_schema.columns where table_schema = 'marts' and table_name = ?"
        " order by ordinal_position",
        [table],
    ).fetchall()


def normalizer(data_type: str, scale: int):
    kind = data_type.upper()
    if kind.startswith("DECIMAL"):
        step = Decimal(1).scaleb(-scale)
        return lambda v: None if v is None else Decimal(str(v)).quantize(step)
    if kind in _INTEGERS:
        return lambda v: None if v is None else int(v)
    if kind in ("DOUBLE", "FLOAT", "REAL"):
        return lambda v: None if v is None else float(f"{float(v):.10g}")
    return lambda v: v


def normalized_rows(rows: list[tuple], columns: list[tuple[str, str, int]]) -> list[tuple]:
    fixes = [normalizer(t, s) for _, t, s in columns]
    fixed = [tuple(f(v) for f, v in zip(fixes, row, strict=True)) for row in rows]
    return sorted(fixed, key=lambda row: [(v is None, str(v)) for v in row])


def first_difference(a: list[tuple], b: list[tuple], names: list[str]) -> str:
    """Where two sorted row lists first part, for the failure message."""
    if len(a) != len(b):
        return f"{len(a)} rows on DuckDB, {len(b)} on PostgreSQL"
    for left, right in zip(a, b, strict=True):
        if left != right:
            cells = [
                f"{n}: {x!r} != {y!r}" for n, x, y in zip(names, left, right, strict=True) if x != y
            ]
            return f"row {dict(zip(names, left, strict=True))}\n  " + "\n  ".join(cells)
    return ""
