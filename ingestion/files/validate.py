"""Split an export file's rows into loadable rows and quarantined rows, set-based in
DuckDB: each rule of the entity spec becomes one reason expression."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from .entities import Column, Entity

MAX_FIELD_CHARS = 4096  # a longer value is a pasted document, not a column value
_SHOWN_CHARS = 80  # how much of a bad value a reason quotes

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("entity", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        pa.field("row_number", pa.int64(), nullable=False),
        ("record_key", pa.string()),
        ("reason", pa.string()),
        ("record", pa.string()),
    ]
)


def _quote(sql_text: str) -> str:
    return "'" + sql_text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _reasons(col: Column, is_key: bool) -> list[str]:
    """SQL expressions, each NULL for a good value or a reason string for a bad one."""
    c = _ident(col.name)
    present = f"nullif(trim({c}), '') is not null"
    shown = f"'''' || left({c}, {_SHOWN_CHARS}) || ''''"
    out = [
        f"case when length({c}) > {MAX_FIELD_CHARS}"
        f" then 'value too long in {col.name} (' || length({c}) || ' chars)' end"
    ]
    if col.required:
        what = "missing key" if is_key else "missing value in"
        out.append(f"case when not ({present}) then '{what} {col.name}' end")
    casts = {
        "timestamp": ("timestamptz", "unparseable timestamp"),
        "date": ("date", "unparseable date"),
        "decimal": ("decimal(18,4)", "unparseable number"),
    }
    if col.kind in casts:
        sql_type, label = casts[col.kind]
        out.append(
            f"case when {present} and try_cast(trim({c}) as {sql_type}) is null"
            f" then '{label} in {col.name}: ' || {shown} end"
        )
    elif col.kind == "integer":  # a cast to bigint would round 1.5 silently
        out.append(
            f"case when {present} and not regexp_full_match(trim({c}), '-?[0-9]{{1,18}}')"
            f" then 'unparseable integer in {col.name}: ' || {shown} end"
        )
    elif col.kind == "boolean":
        out.append(
            f"case when {present} and lower(trim({c})) not in ('true', 'false')"
            f" then 'not true/false in {col.name}: ' || {shown} end"
        )
    elif col.kind == "enum":
        allowed = ", ".join(_quote(v) for v in col.values)
        out.append(
            f"case when {present} and lower(trim({c})) not in ({allowed})"
            f" then 'unknown {col.name}: ' || {shown} end"
        )
    elif col.kind == "timezone":
        out.append(
            f"case when {present} and trim({c}) not in (select name from pg_timezone_names())"
            f" then 'unknown timezone in {col.name}: ' || {shown} end"
        )
    return out


def split_rows(
    con: duckdb.DuckDBPyConnection, entity: Entity, rows: pa.Table, file_name: str
) -> tuple[pa.Table, pa.Table]:
    """Return (rows to load, quarantine rows). Rows to load keep their text values and
    gain _file_name; quarantine rows carry the file, row number and every reason."""
    reasons = [r for col in entity.columns for r in _reasons(col, col.name in entity.key)]
    cols = [_ident(c) for c in entity.column_names]
    record = (
        "to_json({"
        + ", ".join(f"{_quote(n)}: left({_ident(n)}, 1000)" for n in entity.column_names)
        + "})"
    )
    key_parts = ", ".join(f"trim({_ident(k)})" for k in entity.key)
    con.register("export_rows", rows)
    try:
        con.execute(
            f"""
            create or replace temp table checked as
            select *, concat_ws('; ', {", ".join(reasons)}) as _reason
            from export_rows
            """
        )
        good = con.sql(
            f"""
            select {", ".join(cols)}, {_quote(file_name)} as _file_name, _row_number
            from checked where _reason = '' order by _row_number
            """
        ).to_arrow_table()
        bad = con.sql(
            f"""
            select {_quote(entity.name)} as entity, {_quote(file_name)} as file_name,
                   _row_number as row_number,
                   nullif(concat_ws('|', {key_parts}), '') as record_key,
                   _reason as reason, cast({record} as varchar) as record
            from checked where _reason <> '' order by _row_number
            """
        ).to_arrow_table()
    finally:
        con.unregister("export_rows")
    return good, bad.cast(QUARANTINE_SCHEMA)


def quarantine_table(entity: str, file_name: str, rows: list[tuple[int, str, str]]) -> pa.Table:
    """Quarantine rows that never became a row: parser rejects and whole-file refusals."""
    return pa.table(
        {
            "entity": [entity] * len(rows),
            "file_name": [file_name] * len(rows),
            "row_number": [r[0] for r in rows],
            "record_key": [None] * len(rows),
            "reason": [r[1] for r in rows],
            "record": [r[2] for r in rows],
        },
        schema=QUARANTINE_SCHEMA,
    )
