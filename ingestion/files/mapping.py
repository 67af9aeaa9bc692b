"""Column maps applied: a vendor's export read into the canonical columns.

Per entity, a map (map_file.py) may rename columns, map values ("Checked Out" ->
completed), read timestamps and dates in a given format ("11/02/2026 3:45 PM"), read
naive timestamps in a given time zone, and look ids up by name through another entity's
rows (the provider's name -> provider_id through providers.csv). Everything runs
set-based in DuckDB over the file's rows; the result is the table the canonical parser
would give, plus `_map_reason` for rows a lookup could not resolve (validate.split_rows
quarantines them with that reason: a name is never guessed).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from .entities import ENTITIES, Entity
from .map_file import EntityMap, ExportMap, Lookup
from .reader import ExportFileError, ParsedFile, list_export_files, parse_export, read_bytes
from .rules import OFFSET_PATTERN, ident
from .validate import MAP_REASON, split_rows

_ISO_TIMESTAMP = "%Y-%m-%dT%H:%M:%S"


class NameLookups:
    """Name -> id tables for the lookups of a map, built once per folder from the rows
    of the entity looked through that would load (the same for a run and a check)."""

    def __init__(self, folder: str, export_map: ExportMap | None):
        self.folder = folder
        self.export_map = export_map
        self._tables: dict[tuple[str, str], pa.Table] = {}

    def table(self, lookup: Lookup) -> pa.Table:
        """(name, key, ids): the trimmed lower-case name, its id, and how many ids share it."""
        found = (lookup.through, lookup.match)
        if found not in self._tables:
            self._tables[found] = self._build(lookup)
        return self._tables[found]

    def _build(self, lookup: Lookup) -> pa.Table:
        entity = ENTITIES[lookup.through]
        key, match = ident(entity.key[0]), ident(lookup.match)
        with duckdb.connect() as con:
            con.execute("set TimeZone = 'UTC'")
            rows = [
                pa.table(
                    {
                        lookup.match: pa.array([], pa.string()),
                        entity.key[0]: pa.array([], pa.string()),
                    }
                )
            ]
            for export in list_export_files(self.folder, entity.name):
                try:
                    parsed = read_export(entity, export.name, read_bytes(export), self.export_map)
                except ExportFileError:
                    continue  # refused whole: its rows name nobody
                good, _ = split_rows(con, entity, parsed.table, export.name)
                rows.append(good.select([lookup.match, entity.key[0]]))
            con.register("named", pa.concat_tables(rows))
            return con.sql(
                f"""
                select lower(trim({match})) as name, min(trim({key})) as key,
                       count(distinct trim({key})) as ids
                from named where nullif(trim({match}), '') is not null group by 1
                """
            ).to_arrow_table()


def read_export(
    entity: Entity,
    name: str,
    raw: bytes,
    export_map: ExportMap | None = None,
    lookups: NameLookups | None = None,
) -> ParsedFile:
    """Parse one export file of `entity` into its canonical columns (reader.parse_export),
    through the entity's map when the map has one."""
    emap = export_map.entities.get(entity.name) if export_map else None
    if emap is None:
        return parse_export(name, raw, entity.column_names, entity.required_names)
    sources = list(dict.fromkeys(emap.source(c) for c in entity.column_names))
    required = list(
        dict.fromkeys(
            [emap.source(c.name) for c in entity.columns if c.required]
            + list(emap.mapped_columns().values())
        )
    )
    try:
        parsed = parse_export(name, raw, sources, required)
    except ExportFileError as exc:
        raise ExportFileError(
            f"{exc} [read through the map {Path(export_map.path).name}]"
        ) from None
    with duckdb.connect() as con:
        con.register("export_rows", parsed.table)
        joins, reasons = [], []
        for column, lookup in emap.lookups.items():
            alias = f"lookup_{column}"
            if lookups is None:
                raise ValueError("a map that looks ids up needs the folder's NameLookups")
            con.register(alias, lookups.table(lookup))
            src = f"nullif(trim(export_rows.{ident(lookup.column)}), '')"
            joins.append(f"left join {alias} on {alias}.name = lower({src})")
            shown = f"'''' || left({src}, 80) || ''''"
            reasons.append(
                f"case when {src} is null then null"
                f" when {alias}.ids is null then 'unknown {column}: no {lookup.through} row has"
                f" {lookup.match} ' || {shown}"
                f" when {alias}.ids > 1 then 'ambiguous {column}: ' || {alias}.ids"
                f" || ' {lookup.through} rows have {lookup.match} ' || {shown} end"
            )
        selected = [f"{_column_sql(emap, c)} as {ident(c.name)}" for c in entity.columns]
        table = con.sql(
            f"""
            select {", ".join(selected)}, export_rows._row_number,
                   concat_ws('; ', {", ".join(reasons) or "null"}) as {MAP_REASON}
            from export_rows {" ".join(joins)}
            order by export_rows._row_number
            """
        ).to_arrow_table()
    return ParsedFile(table, parsed.rejected, parsed.extra_columns)


def _column_sql(emap: EntityMap, col) -> str:
    """SQL for one canonical column: read, value-mapped, reformatted, zoned."""
    if col.name in emap.lookups:
        # an unresolved name stays as written: its row is quarantined (MAP_REASON), so
        # the name never loads as an id, and the quarantine shows what the row said
        lookup = emap.lookups[col.name]
        return (
            f"case when lookup_{col.name}.ids = 1 then lookup_{col.name}.key"
            f" else export_rows.{ident(lookup.column)} end"
        )
    value = f"export_rows.{ident(emap.source(col.name))}"
    if col.name in emap.values:
        cases = " ".join(
            f"when {_quote(k)} then {_quote(v)}" for k, v in emap.values[col.name].items()
        )
        value = f"(case lower(trim({value})) {cases} else {value} end)"
    fmt = {"timestamp": emap.timestamp_format, "date": emap.date_format}.get(col.kind)
    if fmt:  # a value in another form stays as it was, for the ISO rule to judge
        out = _ISO_TIMESTAMP if col.kind == "timestamp" else "%Y-%m-%d"
        value = f"coalesce(strftime(try_strptime(trim({value}), {_quote(fmt)}), '{out}'), {value})"
    if col.kind == "timestamp" and emap.timezone:
        naive = f"try_cast(trim({value}) as timestamp)"
        value = (
            f"(case when not regexp_matches(trim({value}), '{OFFSET_PATTERN}')"
            f" and {naive} is not null then strftime(timezone('UTC',"
            f" timezone({_quote(emap.timezone)}, {naive})), '{_ISO_TIMESTAMP}') || 'Z'"
            f" else {value} end)"
        )
    return value


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
