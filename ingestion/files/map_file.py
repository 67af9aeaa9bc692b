"""Column maps (`--map MAP.toml`): reading and validating the file, and checking it
against the headers of a folder's exports before anything loads. mapping.py applies it.

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

from .entities import ENTITIES, Entity
from .reader import list_export_files

_DEFAULTS = ("timezone", "timestamp_format", "date_format")
_ENTITY_KEYS = ("columns", "values", "lookups", *_DEFAULTS)


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
