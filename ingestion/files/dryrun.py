"""A dry run of the file source and of staging's verdicts, with no warehouse.

Every file is parsed and validated by the loader's own code (reader.parse_export through
mapping.read_export, validate.split_rows); the rows that would load are then judged in an
in-memory DuckDB the way staging judges them (dbt_project/models/staging/files/base_files__*):
the latest version of each key wins (METRICS.md section 1), and a winning row whose
reference names no staged row is refused (the references come from staging itself,
dbt_project/macros/references.sql, handed in by the caller). The verdicts are those of
a first run into an empty warehouse; keys that another source (Zenoti) stages are not
known here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from .entities import ENTITIES, Entity
from .map_file import ExportMap
from .mapping import NameLookups, read_export
from .reader import ExportFileError, file_entity, list_export_files, read_bytes
from .rules import OFFSET_PATTERN, ident  # OFFSET_PATTERN: staging's time rule too
from .validate import QUARANTINE_SCHEMA, quarantine_table, split_rows

# entity -> [(column, referenced entity)]: staging's rule that a reference names a staged row
References = dict[str, list[tuple[str, str]]]

_TOP_REASONS = 5


@dataclass
class FileVerdict:
    entity: str
    file_name: str
    rows_read: int = 0
    loaded: int = 0
    quarantined: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    refused: str | None = None  # why the whole file would be refused


@dataclass
class ReasonCount:
    reason: str  # the reason with its quoted values elided
    rows: int
    example: str  # file, row, key and the full reason of one such row


@dataclass
class EntityVerdict:
    entity: str
    rows_read: int
    staged: int
    quarantined_at_load: int
    refused_at_staging: int
    superseded: int
    top_reasons: list[ReasonCount]

    @property
    def quarantined(self) -> int:
        return self.quarantined_at_load + self.refused_at_staging


@dataclass
class DryRun:
    entities: list[EntityVerdict]
    files: list[FileVerdict]
    unrecognized: list[str]  # CSV files whose name matches no entity

    @property
    def refused_files(self) -> list[FileVerdict]:
        return [f for f in self.files if f.refused]


def dry_run(folder: str, references: References, export_map: ExportMap | None = None) -> DryRun:
    """What a run would make of `folder`. Raises ExportFileError if the folder is missing."""
    all_files = list_export_files(folder)
    lookups = NameLookups(folder, export_map)
    files: list[FileVerdict] = []
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        quarantine = [QUARANTINE_SCHEMA.empty_table()]
        for entity in ENTITIES.values():
            loaded = [_raw_schema(entity).empty_table()]
            for export in list_export_files(folder, entity.name):
                verdict = FileVerdict(entity.name, export.name)
                files.append(verdict)
                try:
                    parsed = read_export(
                        entity, export.name, read_bytes(export), export_map, lookups
                    )
                except ExportFileError as exc:
                    verdict.refused = str(exc)
                    continue
                good, bad = split_rows(con, entity, parsed.table, export.name)
                if parsed.rejected:
                    bad = pa.concat_tables(
                        [bad, quarantine_table(entity.name, export.name, parsed.rejected)]
                    )
                verdict.rows_read = parsed.table.num_rows + len(parsed.rejected)
                verdict.loaded, verdict.quarantined = good.num_rows, bad.num_rows
                verdict.ignored_columns = parsed.extra_columns
                loaded.append(good)
                quarantine.append(bad)
            con.register("loaded_rows", pa.concat_tables(loaded))
            con.execute(f"create table raw_{entity.name} as select * from loaded_rows")
            con.unregister("loaded_rows")
        con.register("quarantined_rows", pa.concat_tables(quarantine))
        con.execute("create table load_quarantine as select * from quarantined_rows")
        con.unregister("quarantined_rows")
        _stage(con, references)
        verdicts = [_entity_verdict(con, e, files) for e in ENTITIES.values()]
    unrecognized = [f.name for f in all_files if file_entity(f.name, list(ENTITIES)) is None]
    return DryRun(verdicts, files, unrecognized)


def _raw_schema(entity: Entity) -> pa.Schema:
    return pa.schema(
        [pa.field(c, pa.string()) for c in entity.column_names]
        + [pa.field("_file_name", pa.string()), pa.field("_row_number", pa.int64())]
    )


def _clean(column: str, relation: str = "") -> str:
    """staging's clean_text: trimmed, empty as NULL."""
    return f"nullif(trim({relation + '.' if relation else ''}{ident(column)}), '')"


def _key_parts(entity: Entity) -> list[str]:
    """The key as staging groups it (trimmed; value sets in lower case; dates typed)."""
    kinds = {c.name: c.kind for c in entity.columns}
    parts = []
    for k in entity.key:
        if kinds[k] == "enum":
            parts.append(f"lower({_clean(k)})")
        elif kinds[k] == "date":
            parts.append(f"try_cast(trim({ident(k)}) as date)")
        else:
            parts.append(_clean(k))
    return parts


def _stage(con: duckdb.DuckDBPyConnection, references: References) -> None:
    """staged_<entity>: each key's winning row with `_reasons` ('' = staged), in an order
    where the entities a reference names are staged first."""
    staged: set[str] = set()
    for entity in ENTITIES.values():
        refs = references.get(entity.name, [])
        early = [r for _, r in refs if r not in staged]
        if early:
            raise ValueError(f"{entity.name} references {early}, which are staged later")
        located = "location_id" in entity.column_names and entity.name != "locations"
        zone = (
            f"""left join (select {_clean("location_id")} as location_id, {_clean("timezone")}
                           as timezone from staged_locations where _reasons = '') as zone
                on zone.location_id = {_clean("location_id", "raw")}"""
            if located
            else ""
        )
        version = ""
        if entity.version_column:
            value = _clean(entity.version_column, "raw")
            tz = "zone.timezone" if located else "null"
            # staging's to_instant: an offset or Z is an instant, else local time at the zone
            version = f"""case when regexp_matches({value}, '{OFFSET_PATTERN}')
                then cast({value} as timestamptz)
                else timezone({tz}, cast({value} as timestamp)) end desc nulls last,"""
        checks, joins = [], []
        for col, target in refs:
            value, ref = _clean(col, "winner"), f"ref_{col}"
            joins.append(f"left join keys_{target} as {ref} on {ref}.key = {value}")
            checks.append(
                f"case when {value} is not null and {ref}.key is null"
                f" then 'unknown {col}: ''' || {value} || '''' end"
            )
        reasons = f"concat_ws('; ', {', '.join(checks)})" if checks else "''"
        con.execute(
            f"""
            create table staged_{entity.name} as
            with ranked as (
                select raw.*, row_number() over (
                    partition by {", ".join(_key_parts(entity))}
                    order by {version} raw._file_name desc, raw._row_number desc
                ) as _rank
                from raw_{entity.name} as raw {zone}
            )
            select winner.* exclude (_rank), {reasons} as _reasons
            from ranked as winner {" ".join(joins)}
            where winner._rank = 1
            """
        )
        if entity.name == "invoice_lines":
            _refuse_unknown_refunds(con)
        # the keys a reference may name (staging's reference_joins)
        con.execute(
            f"""create table keys_{entity.name} as select distinct
                {_clean(entity.key[0])} as key from staged_{entity.name} where _reasons = ''"""
        )
        staged.add(entity.name)


def _refuse_unknown_refunds(con: duckdb.DuckDBPyConnection) -> None:
    """base_files__invoice_lines: a refund names another line whose references resolve."""
    refund = _clean("refund_of_line_id", "s")
    con.execute(
        f"""
        create or replace table staged_invoice_lines as
        select s.* replace (
            concat_ws('; ', nullif(s._reasons, ''), case
                when {refund} is not null and r.line_id is null
                then 'unknown refund_of_line_id: ''' || {refund} || '''' end) as _reasons
        )
        from staged_invoice_lines as s
        left join staged_invoice_lines as r
            on {_clean("line_id", "r")} = {refund} and r._reasons = ''
            and {_clean("line_id", "r")} <> {_clean("line_id", "s")}
        """
    )


def _entity_verdict(
    con: duckdb.DuckDBPyConnection, entity: Entity, files: list[FileVerdict]
) -> EntityVerdict:
    name = entity.name
    loaded, winners, refused = con.sql(
        f"""select (select count(*) from raw_{name}), count(*), count(*) filter (_reasons <> '')
            from staged_{name}"""
    ).fetchall()[0]
    record = "to_json({" + ", ".join(f"'{c}': {ident(c)}" for c in entity.column_names) + "})"
    key = " || '|' || ".join(f"coalesce(trim({ident(k)}), '')" for k in entity.key)
    rows = con.sql(
        f"""
        with refusals as (
            select file_name, row_number, record_key, reason, record
            from load_quarantine where entity = '{name}' and row_number > 0
            union all
            select _file_name, _row_number, {key}, _reasons, cast({record} as varchar)
            from staged_{name} where _reasons <> ''
        ),
        reasons as (
            select *, regexp_replace(unnest(string_split(reason, '; ')), '''.*?''', '…', 'g')
                as kind
            from refusals
        )
        select kind, count(*) as n,
               arg_min(file_name || ' row ' || row_number
                       || coalesce(' (' || record_key || ')', '') || ': ' || reason
                       || coalesce(' ' || left(record, 200), ''), (file_name, row_number))
        from reasons group by kind order by n desc, kind limit {_TOP_REASONS}
        """
    ).fetchall()
    mine = [f for f in files if f.entity == name and not f.refused]
    return EntityVerdict(
        entity=name,
        rows_read=sum(f.rows_read for f in mine),
        staged=winners - refused,
        quarantined_at_load=sum(f.quarantined for f in mine),
        refused_at_staging=refused,
        superseded=loaded - winners,
        top_reasons=[ReasonCount(*r) for r in rows],
    )
