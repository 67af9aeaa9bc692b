"""Split an export file's rows into loadable rows and quarantined rows, set-based in
DuckDB: each rule of the entity spec becomes one reason expression (column rules here,
rules across a row's columns in rules.py), then conflicting duplicates of a key within
the file are marked."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from . import rules
from .entities import Column, Entity

# a column a column map adds: why a row's mapping failed (an unknown name), else NULL
MAP_REASON = "_map_reason"
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

# A formula a spreadsheet would run when someone opens an export of this data: `=...`,
# or `+`, `-`, `@` followed by a function call or a DDE link (OWASP "CSV injection").
_FORMULA = "^[[:space:]]*(=|[-+@][A-Za-z_][A-Za-z0-9_.]*[(|!])"
# kind: (SQL type, ISO 8601 pattern, what a reason calls it)
_TIME_KINDS = {
    "timestamp": ("timestamptz", rules.ISO_TIMESTAMP, "timestamp"),
    "date": ("date", rules.ISO_DATE, "date"),
}
_FAR_FUTURE = "2 years"  # even an upcoming booking is not this far ahead

_ident = rules.ident


def _quote(sql_text: str) -> str:
    return "'" + sql_text.replace("'", "''") + "'"


def _reasons(col: Column, is_key: bool) -> list[str]:
    """SQL expressions, each NULL for a good value or a reason string for a bad one."""
    c = _ident(col.name)
    present = f"nullif(trim({c}), '') is not null"
    shown = rules.shown(col.name, _SHOWN_CHARS)
    out = [
        f"case when length({c}) > {MAX_FIELD_CHARS}"
        f" then 'value too long in {col.name} (' || length({c}) || ' chars)' end"
    ]
    if col.required:
        what = "missing key" if is_key else "missing value in"
        out.append(f"case when not ({present}) then '{what} {col.name}' end")
    if col.kind in _TIME_KINDS:
        out.append(_time_reason(col, present, shown))
    elif col.kind == "decimal":
        out.append(
            f"case when {present} and try_cast(trim({c}) as decimal(18,4)) is null"
            f" then 'unparseable number in {col.name}: ' || {shown} end"
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
    elif col.kind == "text":
        out.append(
            f"case when regexp_matches({c}, '{_FORMULA}')"
            f" then 'spreadsheet formula in {col.name}: ' || {shown} end"
        )
    return out


def _time_reason(col: Column, present: str, shown: str) -> str:
    """Unparseable, not ISO 8601, a placeholder before EARLIEST, or ahead of the load."""
    sql_type, pattern, label = _TIME_KINDS[col.kind]
    c = _ident(col.name)
    value = f"try_cast(trim({c}) as {sql_type})"
    ahead = _FAR_FUTURE if col.may_be_future else rules.FUTURE_TOLERANCE
    where = f"more than {_FAR_FUTURE} ahead" if col.may_be_future else "in the future"
    # most values are good: one pattern match and one cast settle them
    return (
        f"case when not ({present}) then null"
        f" when regexp_full_match(trim({c}), '{pattern}')"
        f" and {value} between '{rules.EARLIEST}' and now() + interval '{ahead}' then null"
        f" when {value} is null then 'unparseable {label} in {col.name}: ' || {shown}"
        f" when not regexp_full_match(trim({c}), '{pattern}')"
        f" then 'not an ISO 8601 {label} in {col.name}: ' || {shown}"
        f" when {value} < '{rules.EARLIEST}'"
        f" then '{label} before {rules.EARLIEST} in {col.name}: ' || {shown}"
        f" when {value} > now() + interval '{ahead}'"
        f" then '{label} {where} in {col.name}: ' || {shown}"
        " end"
    )


def _key_parts(entity: Entity) -> list[str]:
    """The key as staging compares it: trimmed, enum values in lower case."""
    kinds = {c.name: c.kind for c in entity.columns}
    return [
        f"lower(trim({_ident(k)}))" if kinds[k] == "enum" else f"trim({_ident(k)})"
        for k in entity.key
    ]


def _key_parts_named(entity: Entity) -> list[tuple[str, str]]:
    """SQL (expression, name) pairs that say two rows are versions of one record: the
    key parts, plus the version column when the entity has one."""
    parts = _key_parts(entity)
    if entity.version_column:
        parts.append(f"trim({_ident(entity.version_column)})")
    return [(part, f"_part{i}") for i, part in enumerate(parts)]


def _conflicting_duplicates(
    con: duckdb.DuckDBPyConnection, entity: Entity, rows: pa.Table
) -> pa.Table:
    """A key twice in one file with other values and nothing to order the two by (the
    same updated_at, or no updated_at): the last row is kept, earlier ones quarantined.
    Returns (_row_number, _reason) of those earlier rows among the rows of `checked`
    with no other reason. A group by finds the few repeated keys; only their rows are
    hashed and compared, and no window sorts the whole file."""
    part_names = [name for _, name in _key_parts_named(entity)]
    names = ", ".join(part_names)
    same_key = " and ".join(f"c.{n} is not distinct from d.{n}" for n in part_names)
    groups = con.sql(
        f"""
        with candidates as (select _row_number, {names} from checked where _reason = ''),
        repeated as (
            select {names}, max(_row_number) as kept_row
            from candidates group by {names} having count(*) > 1
        )
        select c._row_number, d.kept_row from candidates c join repeated d on {same_key}
        """
    ).to_arrow_table()
    values = ", ".join(f"coalesce(trim({_ident(c)}), '')" for c in entity.column_names)
    shown_key = " || '|' || ".join(f"coalesce(trim({_ident(k)}), '')" for k in entity.key)
    con.register("members", rows.filter(pc.is_in(rows["_row_number"], groups["_row_number"])))
    con.register("groups", groups)
    try:
        return con.sql(
            f"""
            with hashed as (
                select _row_number, kept_row, {shown_key} as shown_key,
                       hash({values}) as row_hash
                from members join groups using (_row_number)
            ),
            conflicting as (
                select kept_row from hashed group by kept_row
                having min(row_hash) <> max(row_hash)
            )
            select _row_number,
                   {_quote(f"duplicate {', '.join(entity.key)} '")}
                   || left(shown_key, {_SHOWN_CHARS})
                   || ''' with other values in this file (row ' || kept_row || ' is kept)'
                   as _reason
            from hashed join conflicting using (kept_row)
            where _row_number <> kept_row
            """
        ).to_arrow_table()
    finally:
        con.unregister("members")
        con.unregister("groups")


def split_rows(
    con: duckdb.DuckDBPyConnection, entity: Entity, rows: pa.Table, file_name: str
) -> tuple[pa.Table, pa.Table]:
    """Return (rows to load, quarantine rows). Rows to load keep their text values and
    gain _file_name; quarantine rows carry the file, row number and every reason.
    The export's Arrow rows are scanned once, into a narrow table of reasons and keys;
    the rows to load are those Arrow columns minus the (few) bad rows, never copied."""
    reasons = [r for col in entity.columns for r in _reasons(col, col.name in entity.key)]
    reasons += rules.row_reasons(entity.name)
    if MAP_REASON in rows.column_names:
        reasons.append(f"nullif({MAP_REASON}, '')")
    record = (
        "to_json({"
        + ", ".join(f"{_quote(n)}: left({_ident(n)}, 1000)" for n in entity.column_names)
        + "})"
    )
    record_key = ", ".join(f"trim({_ident(k)})" for k in entity.key)
    keys = ", ".join(f"{part} as {name}" for part, name in _key_parts_named(entity))
    con.execute("set TimeZone = 'UTC'")  # a naive timestamp reads as UTC (see rules.py)
    con.register("export_rows", rows)
    try:
        con.execute(
            f"""
            create or replace temp table checked as
            select _row_number, concat_ws('; ', {", ".join(reasons)}) as _reason, {keys}
            from export_rows
            """
        )
    finally:
        con.unregister("export_rows")
    refused = con.sql("select _row_number, _reason from checked where _reason <> ''")
    duplicates = _conflicting_duplicates(con, entity, rows)
    reasons_of_bad = pa.concat_tables([refused.to_arrow_table(), duplicates])
    con.execute("drop table checked")
    is_bad = pc.is_in(rows["_row_number"], reasons_of_bad["_row_number"])
    con.register("bad_rows", rows.filter(is_bad))
    con.register("bad_reasons", reasons_of_bad)
    try:
        bad = con.sql(
            f"""
            select {_quote(entity.name)} as entity, {_quote(file_name)} as file_name,
                   _row_number as row_number,
                   nullif(concat_ws('|', {record_key}), '') as record_key,
                   _reason as reason, cast({record} as varchar) as record
            from bad_rows join bad_reasons using (_row_number) order by _row_number
            """
        ).to_arrow_table()
    finally:
        con.unregister("bad_rows")
        con.unregister("bad_reasons")
    good = rows.select(entity.column_names + ["_row_number"])
    if bad.num_rows:
        good = good.filter(pc.invert(is_bad))
    name_column = pa.nulls(good.num_rows, pa.string()).fill_null(file_name)
    return good.add_column(len(entity.column_names), "_file_name", name_column), bad.cast(
        QUARANTINE_SCHEMA
    )


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
