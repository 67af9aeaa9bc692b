"""dlt source for a folder of canonical exports (METRICS.md section 1).

One resource per entity loads every valid row version into `raw_files.<entity>`
(every version stays for staging to pick the winner by METRICS.md's dedupe rule). Rows
that cannot be typed go to `raw_files.quarantine` with file, row number and reason, and
`raw_files.loaded_files` records what each file held (rows read, loaded, quarantined),
so row accounting can show that nothing left silently.

A file is the unit of loading: reading it replaces whatever an earlier version of the
same file left in raw and quarantine (a merge keyed on the file, with a tombstone per
file), so a re-read changes nothing and a file rewritten in place leaves no stale rows.
When none of the files a run reads has rows in an entity's raw table yet (a first load,
a new day's export), that table is appended to instead: the same result without dlt's
copy of every row through its staging dataset.
Files already loaded (same name, and the same size and modification stamp or the same
content digest) are skipped: that record is dlt resource state, stored in the warehouse
it describes. A CSV file whose name matches no entity is reported, never skipped
silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

import dlt
import duckdb
import pyarrow as pa
from dlt.destinations.exceptions import DatabaseUndefinedRelation
from dlt.sources import DltResource

from .entities import ENTITIES, Entity
from .map_file import ExportMap, load_map
from .mapping import NameLookups, read_export
from .reader import (
    ExportFile,
    ExportFileError,
    ParsedFile,
    content_digest,
    file_entity,
    list_export_files,
    read_bytes,
)
from .validate import QUARANTINE_SCHEMA, quarantine_table, split_rows

__all__ = [
    "ENTITIES",
    "ExportFileError",
    "ExportMap",
    "LOADED_FILES_SCHEMA",
    "drop_legacy_primary_keys",
    "file_exports",
]

log = logging.getLogger(__name__)

SCHEMA_NAME = "files"  # the dlt source and schema name

FileErrorHandler = Callable[[str, str], None]  # (entity, message)

# dlt deletes a row marked here instead of loading it: one marker per file read clears
# what an earlier read of that file left (merge key: the file).
_DELETED = "_deleted"
_DELETED_HINT = {_DELETED: {"data_type": "bool", "hard_delete": True, "nullable": True}}

LOADED_FILES_SCHEMA = pa.schema(
    [
        pa.field("entity", pa.string(), nullable=False),
        pa.field("file_name", pa.string(), nullable=False),
        ("fingerprint", pa.string()),
        ("data_rows", pa.int64()),  # records the CSV reader found (NULL: file refused)
        ("loaded_rows", pa.int64()),
        ("quarantined_rows", pa.int64()),
        ("ignored_columns", pa.string()),
        ("refused", pa.string()),  # why the whole file was refused, else NULL
    ]
)


def _raw_schema(entity: Entity) -> pa.Schema:
    """Text columns as read; key columns are never null (null keys are quarantined)."""
    return pa.schema(
        [pa.field(c, pa.string(), nullable=c not in entity.key) for c in entity.column_names]
        + [
            pa.field("_file_name", pa.string(), nullable=False),
            pa.field("_row_number", pa.int64(), nullable=False),
        ]
    )


def _column_hints(schema: pa.Schema) -> dict[str, dict]:
    kinds = {pa.string(): "text", pa.int64(): "bigint"}
    return {f.name: {"data_type": kinds[f.type], "nullable": f.nullable} for f in schema}


def _with_deleted(rows: pa.Table, deleted: bool = False) -> pa.Table:
    marker = pa.nulls(rows.num_rows, pa.bool_())
    return rows.append_column(_DELETED, marker.fill_null(True) if deleted else marker)


def _raw_tombstone(schema: pa.Schema, file_name: str) -> pa.Table:
    values = {f.name: [""] for f in schema if f.type == pa.string()}
    values.update(_file_name=[file_name], _row_number=[0])
    return _with_deleted(pa.table(values, schema=schema), deleted=True)


def _load_entity(
    entity: Entity,
    folder: str,
    on_file_error: FileErrorHandler | None,
    export_map: ExportMap | None,
    lookups: NameLookups,
) -> Iterator[pa.Table]:
    schema = _raw_schema(entity)
    state = dlt.current.resource_state()
    loaded: dict[str, str] = state.setdefault("files", {})
    digests: dict[str, str] = state.setdefault("digests", {})
    refused: dict[str, str] = state.setdefault("refused_files", {})
    try:
        files = list_export_files(folder, entity.name)
    except ExportFileError as exc:
        yield _with_deleted(schema.empty_table())
        _report(entity.name, str(exc), on_file_error)
        return
    files = [f for f in files if loaded.get(f.url) != f.fingerprint]
    appending = _only_new_files(entity.name, files)
    # the table exists before the first export
    yield dlt.mark.with_hints(_with_deleted(schema.empty_table()), _disposition(appending))
    con = duckdb.connect()
    try:
        for export in files:
            raw = read_bytes(export)
            digest = content_digest(raw)
            if export.url in loaded and digests.get(export.url) == digest:
                loaded[export.url] = export.fingerprint  # rewritten with the same bytes
                continue
            if export.url in loaded or export.url in refused:
                # read before: this read replaces whatever the earlier version left
                if not appending:
                    yield _raw_tombstone(schema, export.name)
                yield _to_quarantine(_quarantine_tombstone(entity.name, export.name))
            try:
                parsed = read_export(entity, export.name, raw, export_map, lookups)
                del raw  # the parsed table holds the rows; a large export is not kept twice
            except ExportFileError as exc:
                _report(entity.name, str(exc), on_file_error)
                yield _to_quarantine(
                    quarantine_table(entity.name, export.name, [(0, str(exc), "")])
                )
                yield _to_loaded_files(_manifest_row(entity, export, refused=str(exc)))
                refused[export.url] = export.fingerprint  # read again next run, and reported
                loaded.pop(export.url, None)
                digests.pop(export.url, None)
                continue
            good, bad = split_rows(con, entity, parsed.table, export.name)
            if parsed.rejected:
                bad = pa.concat_tables(
                    [bad, quarantine_table(entity.name, export.name, parsed.rejected)]
                )
            log.info(
                "%s: %s rows loaded, %s quarantined%s",
                export.name,
                good.num_rows,
                bad.num_rows,
                f", ignored extra columns {parsed.extra_columns}" if parsed.extra_columns else "",
            )
            yield _with_deleted(good.cast(schema))
            if bad.num_rows:
                yield _to_quarantine(bad)
            yield _to_loaded_files(_manifest_row(entity, export, parsed, good, bad))
            loaded[export.url] = export.fingerprint
            digests[export.url] = digest
            refused.pop(export.url, None)
    finally:
        con.close()


def _disposition(appending: bool):
    """Hints for one run of an entity's table: merge on the file, or a plain append
    (where a hard-delete marker has no meaning, so dlt is not told of one)."""
    if not appending:
        return dlt.mark.make_hints(write_disposition="merge", columns=_DELETED_HINT)
    marker = {_DELETED: {**_DELETED_HINT[_DELETED], "hard_delete": False}}
    return dlt.mark.make_hints(write_disposition="append", columns=marker)


def _only_new_files(table: str, files: list[ExportFile]) -> bool:
    """True when no file about to be read has rows in the raw table already (a first
    load, a new day's file): then appending is what the merge keyed on the file would do,
    without copying every row through dlt's staging dataset first. The destination is
    asked, not the resource state, so rows of a load that failed before its state was
    saved are replaced, never doubled."""
    if not files:
        return False
    try:
        with dlt.current.pipeline().sql_client() as client:
            present = client.execute_sql(
                f"select distinct _file_name from {client.make_qualified_table_name(table)}"
            )
    except DatabaseUndefinedRelation:
        return True  # no raw table yet
    return not {f.name for f in files} & {row[0] for row in present}


def _manifest_row(
    entity: Entity,
    export: ExportFile,
    parsed: ParsedFile | None = None,
    good: pa.Table | None = None,
    bad: pa.Table | None = None,
    refused: str | None = None,
) -> pa.Table:
    read = parsed.table.num_rows + len(parsed.rejected) if parsed else None
    return pa.table(
        {
            "entity": [entity.name],
            "file_name": [export.name],
            "fingerprint": [export.fingerprint],
            "data_rows": [read],
            "loaded_rows": [good.num_rows if good is not None else None],
            "quarantined_rows": [bad.num_rows if bad is not None else None],
            "ignored_columns": [", ".join(parsed.extra_columns) if parsed else None],
            "refused": [refused],
        },
        schema=LOADED_FILES_SCHEMA,
    )


# Merge keys only, no primary keys: dlt's delete ORs the two key conditions in one
# EXISTS, which DuckDB runs as an inner join on the file name, every old row of a file
# times every new one (a re-read of a 100k-row export ran for minutes and filled the
# temp folder). Every primary key here includes its merge key, so the merge key alone
# deletes the same rows, as one semi join.
_QUARANTINE_HINTS = dict(
    merge_key=["entity", "file_name"],
    write_disposition="merge",
    columns={**_column_hints(QUARANTINE_SCHEMA), **_DELETED_HINT},
)
_LOADED_FILES_HINTS = dict(
    merge_key=["entity", "file_name"],  # a variant table would inherit the entity's
    write_disposition="merge",
    columns={
        f.name: {"data_type": "bigint" if f.type == pa.int64() else "text", "nullable": f.nullable}
        for f in LOADED_FILES_SCHEMA
    },
)


def _quarantine_tombstone(entity: str, file_name: str) -> pa.Table:
    return _with_deleted(quarantine_table(entity, file_name, [(-1, "", "")]), deleted=True)


def _to_quarantine(rows: pa.Table):
    if _DELETED not in rows.column_names:
        rows = _with_deleted(rows)
    hints = dlt.mark.make_hints(table_name="quarantine", **_QUARANTINE_HINTS)
    return dlt.mark.with_hints(rows, hints, create_table_variant=True)


def _to_loaded_files(row: pa.Table):
    hints = dlt.mark.make_hints(table_name="loaded_files", **_LOADED_FILES_HINTS)
    return dlt.mark.with_hints(row, hints, create_table_variant=True)


def _report(entity: str, message: str, on_file_error: FileErrorHandler | None) -> None:
    log.error("%s: %s", entity, message)
    if on_file_error is not None:
        on_file_error(entity, message)


def _entity_resource(
    entity: Entity,
    folder: str,
    on_file_error: FileErrorHandler | None,
    export_map: ExportMap | None,
    lookups: NameLookups,
) -> DltResource:
    return dlt.resource(
        _load_entity(entity, folder, on_file_error, export_map, lookups),
        name=entity.name,
        merge_key="_file_name",  # a file's rows are replaced together
        write_disposition="merge",
        columns=_DELETED_HINT,
    )


def _quarantine_resource(folder: str, on_file_error: FileErrorHandler | None) -> DltResource:
    def quarantine() -> Iterator[pa.Table]:
        """Declares the quarantine table (the entity resources write its rows) and
        reports CSV files whose name matches no entity."""
        yield _with_deleted(QUARANTINE_SCHEMA.empty_table())
        try:
            files = list_export_files(folder)
        except ExportFileError:
            return  # each entity reports a missing folder
        for export in files:
            if file_entity(export.name, list(ENTITIES)) is None:
                _report(
                    "(unrecognized)",
                    f"{export.name}: the name matches no entity, so it was not loaded;"
                    f" name it after one of {', '.join(ENTITIES)} (e.g. appointments_2026-11.csv)",
                    on_file_error,
                )

    return dlt.resource(quarantine, name="quarantine", **_QUARANTINE_HINTS)


@dlt.resource(name="loaded_files", **_LOADED_FILES_HINTS)
def loaded_files() -> Iterator[pa.Table]:
    """Declares the table of files read; the entity resources write its rows."""
    yield LOADED_FILES_SCHEMA.empty_table()


@dlt.source(name=SCHEMA_NAME, max_table_nesting=0)
def file_exports(
    folder: str = dlt.config.value,
    entities: Sequence[str] = tuple(ENTITIES),
    on_file_error: FileErrorHandler | None = None,
    column_map: str = "",
) -> list[DltResource]:
    """A folder (local path or fsspec URL) of canonical CSV exports, or of a vendor's
    exports read through `column_map` (a MAP.toml path, see map_file.py).

    `on_file_error(entity, message)` hears of every file refused whole (missing
    required column, not UTF-8, unparseable) and of every CSV file whose name matches
    no entity; that entity's other files, and the other entities, still load.
    """
    unknown = sorted(set(entities) - set(ENTITIES))
    if unknown:
        raise ValueError(f"unknown entities {unknown}; known: {sorted(ENTITIES)}")
    export_map = load_map(column_map) if column_map else None
    lookups = NameLookups(folder, export_map)
    return [
        _entity_resource(ENTITIES[e], folder, on_file_error, export_map, lookups) for e in entities
    ] + [
        _quarantine_resource(folder, on_file_error),
        loaded_files,
    ]


def drop_legacy_primary_keys(pipeline: dlt.Pipeline) -> None:
    """Remove primary keys that earlier versions declared on the raw tables from the
    warehouse's stored schema. A hint a resource stops declaring stays in the stored
    schema, and with it every re-read would still join old and new rows of a file
    pairwise (see _QUARANTINE_HINTS)."""
    pipeline.sync_destination()
    if SCHEMA_NAME not in pipeline.schema_names:
        return
    schema = pipeline.schemas[SCHEMA_NAME]
    keyed = [
        column
        for table in schema.data_tables()
        for column in table["columns"].values()
        if column.get("primary_key")
    ]
    if keyed:
        log.info("dropping %d legacy primary-key hints from the raw tables", len(keyed))
        for column in keyed:
            del column["primary_key"]
        pipeline.schemas.save_schema(schema)
        pipeline.sync_schema()  # a run restores its schema from the warehouse, not from here
