"""Column maps: a vendor's export read into the canonical columns (`--map MAP.toml`).

Per entity, a map may rename columns, map values ("Checked Out" -> completed), read
timestamps and dates in a given format ("11/02/2026 3:45 PM"), read naive timestamps
in a given time zone, and look ids up by name through another entity's rows (the
provider's name -> provider_id through providers.csv). Everything runs set-based in
DuckDB over the file's rows; the result is the table the canonical parser would give,
plus `_map_reason` for rows a lookup could not resolve (validate.split_rows
quarantines them with that reason: a name is never guessed).

    timezone = "America/Denver"              # defaults for every entity below
    timestamp_format = "%m/%d/%Y %I:%M %p"

    [appointments.columns]                   # canonical column = the export's column
    appointment_id = "Appt ID"
    [appointments.values.status]             # the export's value = the canonical value
    "Checked Out" = "completed"
    [appointments.lookups.provider_id]       # provider_id from the name in "Provider"
    column = "Provider"
    through = "providers"
    match = "name"                           # providers' column holding the name
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import fsspec
import pyarrow as pa

from .entities import ENTITIES, Entity
from .reader import ExportFileError, ParsedFile, list_export_files, parse_export, read_bytes
from .rules import OFFSET_PATTERN, ident
from .validate import MAP_REASON, split_rows

_DEFAULTS = ("timezone", "timestamp_format", "date_format")
_ENTITY_KEYS = ("columns", "values", "lookups", *_DEFAULTS)
_ISO_TIMESTAMP = "%Y-%m-%dT%H:%M:%S"


class MapError(ValueError):
    """A map that cannot be used: one line naming the map, the entity and the problem."""


@dataclass(frozen=True)
class Lookup:
    column: str  # the export's column holding the name (as the header reads, lower case)
    through: str  # the entity whose rows name the ids
    match: str  # that entity's column compared with the name (trimmed, any case)


@dataclass(frozen=True)
class EntityMap:
    entity: str
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> export column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {value: canonical}
    lookups: dict[str, Lookup] = field(default_factory=dict)  # canonical column -> lookup
    timezone: str | None = None
    timestamp_format: str | None = None
    date_format: str | None = None

    def source(self, column: str) -> str:
        """The export's column a canonical column is read from."""
        if column in self.lookups:
            return self.lookups[column].column
        return self.columns.get(column, column)

    def mapped_columns(self) -> dict[str, str]:
        """canonical column -> export column, for every column the map names."""
        return {c: self.source(c) for c in {*self.columns, *self.lookups}}


@dataclass(frozen=True)
class ExportMap:
    path: str
    entities: dict[str, EntityMap]


def load_map(path: str | Path) -> ExportMap:
    """Read and validate a map; every problem raises MapError with one clear line."""
    name = Path(path).name
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MapError(f"map file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise MapError(f"{name}: not a readable TOML file: {exc}") from None
    defaults = {k: doc.pop(k) for k in _DEFAULTS if k in doc}
    unknown = sorted(k for k in doc if k not in ENTITIES)
    if unknown:
        raise MapError(
            f"{name}: {', '.join(unknown)} is not an entity or a setting; entities:"
            f" {', '.join(ENTITIES)}; settings: {', '.join(_DEFAULTS)}"
        )
    with duckdb.connect() as con:
        entities = {
            e: _entity_map(name, ENTITIES[e], table, defaults, con) for e, table in doc.items()
        }
    for emap in entities.values():
        for column, lookup in emap.lookups.items():
            through = entities.get(lookup.through)
            if through is not None and through.lookups:
                raise MapError(
                    f"{name}: [{emap.entity}.lookups.{column}] looks up through"
                    f" {lookup.through}, which itself looks ids up; give {lookup.through} ids"
                )
    return ExportMap(str(path), entities)


def _entity_map(
    name: str, entity: Entity, table: object, defaults: dict, con: duckdb.DuckDBPyConnection
) -> EntityMap:
    where = f"{name}: [{entity.name}]"
    if not isinstance(table, dict):
        raise MapError(f"{where} must be a table")
    unknown = sorted(set(table) - set(_ENTITY_KEYS))
    if unknown:
        raise MapError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(_ENTITY_KEYS)}"
        )
    kinds = {c.name: c for c in entity.columns}

    def canonical(column: str, section: str) -> str:
        if column not in kinds:
            raise MapError(
                f"{where}.{section}: {column} is not a column of {entity.name}"
                f" ({', '.join(entity.column_names)})"
            )
        return column

    def text(value: object, what: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise MapError(f"{where}: {what} must be a non-empty string")
        return value

    columns = {
        canonical(c, "columns"): text(v, f"columns.{c}").strip().lower()
        for c, v in _table(table, "columns", where).items()
    }
    values = {}
    for column, mapping in _table(table, "values", where).items():
        col = kinds[canonical(column, "values")]
        allowed = col.values or (("true", "false") if col.kind == "boolean" else ())
        pairs = _table({"v": mapping}, "v", f"{where}.values.{column}")
        bad = sorted(str(v) for v in pairs.values() if allowed and str(v).lower() not in allowed)
        if bad:
            raise MapError(
                f"{where}.values.{column}: {', '.join(bad)} is not one of {', '.join(allowed)}"
            )
        values[column] = {k.strip().lower(): text(v, f"values.{column}") for k, v in pairs.items()}
    lookups = {}
    for column, spec in _table(table, "lookups", where).items():
        canonical(column, "lookups")
        spec = _table({"l": spec}, "l", f"{where}.lookups.{column}")
        through = spec.get("through")
        if through not in ENTITIES or len(ENTITIES[through].key) != 1:
            raise MapError(f"{where}.lookups.{column}: through must name an entity with one key")
        match = spec.get("match", "name")
        if match not in ENTITIES[through].column_names:
            raise MapError(f"{where}.lookups.{column}: {match} is not a column of {through}")
        lookups[column] = Lookup(
            text(spec.get("column"), f"lookups.{column}.column").strip().lower(), through, match
        )
    settings = {k: table.get(k, defaults.get(k)) for k in _DEFAULTS}
    for key, value in settings.items():
        if value is not None:
            text(value, key)
    if (
        settings["timezone"]
        and not con.execute(
            "select count(*) from pg_timezone_names() where name = ?", [settings["timezone"]]
        ).fetchone()[0]
    ):
        raise MapError(
            f"{where}: unknown timezone {settings['timezone']!r} (IANA, e.g. America/Denver)"
        )
    for key in ("timestamp_format", "date_format"):
        if settings[key]:
            try:  # a format DuckDB cannot read its own output of is no format
                con.execute(
                    "select strptime(strftime(timestamp '2026-11-02 15:45:00', $1), $1)",
                    [settings[key]],
                )
            except duckdb.Error as exc:
                raise MapError(f"{where}: {key} {settings[key]!r} does not work: {exc}") from None
    return EntityMap(entity.name, columns, values, lookups, **settings)


def _table(table: dict, key: str, where: str) -> dict:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise MapError(f"{where}: {key} must be a table")
    return value


# ---- the folder: checked up front --------------------------------------------------


def map_problems(export_map: ExportMap, folder: str) -> list[str]:
    """A line per mapped column a file of the folder lacks (read from headers only)."""
    problems = []
    name = Path(export_map.path).name
    for emap in export_map.entities.values():
        for export in list_export_files(folder, emap.entity):
            header = _header(export.url)
            for canonical, column in sorted(emap.mapped_columns().items()):
                if column not in header:
                    problems.append(
                        f"{name}: [{emap.entity}] reads {canonical} from column {column!r},"
                        f" which {export.name} does not have (it has: {', '.join(header)})"
                    )
    return problems


def _header(url: str) -> list[str]:
    with fsspec.open(url, "rb") as fh:
        first = fh.read(1 << 16).split(b"\n", 1)[0].removeprefix(b"\xef\xbb\xbf")
    line = first.decode("utf-8", errors="replace").rstrip("\r")
    return [h.strip().lower() for h in next(csv.reader([line]), [])]


# ---- one file -----------------------------------------------------------------------


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
