"""dlt source for a folder of canonical exports (METRICS.md section 1).

One resource per entity loads every valid row version into `raw_files.<entity>`
(merge on the entity key plus file and row, so a re-read changes nothing and every
version stays for staging to pick the winner by METRICS.md's dedupe rule). Rows that
cannot be typed go to `raw_files.quarantine` with file, row number and reason. Files
already loaded (same name, size and modification stamp) are skipped: that record is
dlt resource state, stored in the warehouse it describes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence

import dlt
import duckdb
import pyarrow as pa
from dlt.sources import DltResource

from .entities import ENTITIES, Entity
from .reader import ExportFileError, list_export_files, read_export_file
from .validate import QUARANTINE_SCHEMA, quarantine_table, split_rows

__all__ = ["ENTITIES", "ExportFileError", "file_exports"]

log = logging.getLogger(__name__)

FileErrorHandler = Callable[[str, str], None]  # (entity, message)


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


def _load_entity(
    entity: Entity, folder: str, on_file_error: FileErrorHandler | None
) -> Iterator[pa.Table]:
    schema = _raw_schema(entity)
    yield schema.empty_table()  # the table exists even before the first export arrives
    loaded: dict[str, str] = dlt.current.resource_state().setdefault("files", {})
    try:
        files = list_export_files(folder, entity.name)
    except ExportFileError as exc:
        _report(entity, str(exc), on_file_error)
        return
    con = duckdb.connect()
    try:
        for export in files:
            if loaded.get(export.url) == export.fingerprint:
                continue
            try:
                parsed = read_export_file(export, entity.column_names, entity.required_names)
            except ExportFileError as exc:
                _report(entity, str(exc), on_file_error)
                yield _to_quarantine(
                    quarantine_table(entity.name, export.name, [(0, str(exc), "")])
                )
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
            yield good.cast(schema)
            if bad.num_rows:
                yield _to_quarantine(bad)
            loaded[export.url] = export.fingerprint
    finally:
        con.close()


_QUARANTINE_HINTS = dict(
    primary_key=["entity", "file_name", "row_number"],
    write_disposition="merge",
    columns=_column_hints(QUARANTINE_SCHEMA),
)


def _to_quarantine(rows: pa.Table):
    hints = dlt.mark.make_hints(table_name="quarantine", **_QUARANTINE_HINTS)
    return dlt.mark.with_hints(rows, hints, create_table_variant=True)


def _report(entity: Entity, message: str, on_file_error: FileErrorHandler | None) -> None:
    log.error("%s: %s", entity.name, message)
    if on_file_error is not None:
        on_file_error(entity.name, message)


def _entity_resource(
    entity: Entity, folder: str, on_file_error: FileErrorHandler | None
) -> DltResource:
    return dlt.resource(
        _load_entity(entity, folder, on_file_error),
        name=entity.name,
        primary_key=[*entity.key, "_file_name", "_row_number"],
        write_disposition="merge",
    )


@dlt.resource(name="quarantine", **_QUARANTINE_HINTS)
def quarantine() -> Iterator[pa.Table]:
    """Declares the quarantine table; the entity resources write its rows."""
    yield QUARANTINE_SCHEMA.empty_table()


@dlt.source(name="files", max_table_nesting=0)
def file_exports(
    folder: str = dlt.config.value,
    entities: Sequence[str] = tuple(ENTITIES),
    on_file_error: FileErrorHandler | None = None,
) -> list[DltResource]:
    """A folder (local path or fsspec URL) of canonical CSV exports.

    `on_file_error(entity, message)` hears of every file refused whole (missing
    required column, not UTF-8, unparseable); that entity's other files still load.
    """
    unknown = sorted(set(entities) - set(ENTITIES))
    if unknown:
        raise ValueError(f"unknown entities {unknown}; known: {sorted(ENTITIES)}")
    return [_entity_resource(ENTITIES[e], folder, on_file_error) for e in entities] + [quarantine]
