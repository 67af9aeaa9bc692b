"""Find an entity's export files in a folder (local path or any fsspec URL) and read
one file into an Arrow table of strings, keeping rows the CSV parser rejects."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# Blocks parse in parallel (one 64 MB block was one thread); a row longer than a block
# (a pasted document in a free-text field) still parses whole, in a longer block.
_BLOCK_SIZE = 8 << 20


class ExportFileError(ValueError):
    """A file that cannot be loaded at all: it stops its entity's load."""


@dataclass(frozen=True)
class ExportFile:
    url: str
    name: str
    fingerprint: str  # size and modification stamp: a changed file is read again


@dataclass
class ParsedFile:
    table: pa.Table  # every column a string; plus _row_number (1 = first data row)
    # rows the CSV parser refused: (row_number, reason, raw text)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)


def list_export_files(folder: str, entity: str | None = None) -> list[ExportFile]:
    """CSV files whose name (in any case) is the entity's name or starts with it plus
    '_' or '-', sorted by name (the later name wins ties under METRICS.md's dedupe
    rule). Without an entity: every CSV file in the folder."""
    fs, root = fsspec.core.url_to_fs(folder)
    if not fs.exists(root):
        raise ExportFileError(f"input folder not found: {folder}")
    files = []
    for info in fs.ls(root, detail=True):
        path = info["name"]
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if info.get("type") != "file" or not name.lower().endswith(".csv"):
            continue
        if entity is None or file_entity(name, [entity]) == entity:
            stamp = info.get("mtime") or info.get("LastModified") or info.get("ETag") or ""
            url = fs.unstrip_protocol(path)
            files.append(ExportFile(url, name, f"{info.get('size')}:{stamp}"))
    return sorted(files, key=lambda f: f.name)


def file_entity(name: str, entities: list[str]) -> str | None:
    """The entity a CSV file name belongs to, or None."""
    stem = name[: -len(".csv")].lower()
    for entity in entities:
        if stem == entity or stem.startswith((entity + "_", entity + "-")):
            return entity
    return None


def read_bytes(export: ExportFile) -> bytes:
    with fsspec.open(export.url, "rb") as fh:
        return fh.read()


def content_digest(raw: bytes) -> str:
    """Identifies a file's content: a file rewritten with the same bytes is not reloaded."""
    return hashlib.sha256(raw).hexdigest()


def parse_export(name: str, raw: bytes, columns: list[str], required: list[str]) -> ParsedFile:
    """Parse a CSV export's bytes as strings. A missing required column, a non-UTF-8 file
    or an unparseable file raises ExportFileError naming the file (and the column)."""
    if raw.startswith(b"\xef\xbb\xbf"):  # spreadsheet tools write a UTF-8 BOM
        raw = raw[3:]
    header_line = _header_line(name, raw)
    if not header_line.strip():
        raise ExportFileError(f"{name}: empty file, no header row")
    header = [h.strip().lower() for h in next(csv.reader([header_line]))]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if repeated:
        raise ExportFileError(f"{name}: column(s) {', '.join(repeated)} appear twice")
    missing = [c for c in required if c not in header]
    if missing:
        raise ExportFileError(
            f"{name}: missing required column(s) {', '.join(missing)} (found: {', '.join(header)})"
        )

    table, rejected = _parse(name, raw, header, use_threads=True)
    if any(r[0] < 1 for r in rejected):  # only the serial reader knows line numbers
        table, rejected = _parse(name, raw, header, use_threads=False)
    if rejected:  # the parser checks UTF-8 in the rows it keeps, not in those it skips
        _check_utf8(name, raw)
    table = table.select([c for c in header if c in columns])
    for column in columns:
        if column not in table.column_names:  # optional column absent from this file
            table = table.append_column(column, pa.nulls(table.num_rows, pa.string()))
    row_numbers = _row_numbers(table.num_rows, [r[0] for r in rejected])
    table = table.select(columns).append_column("_row_number", pa.array(row_numbers, pa.int64()))
    return ParsedFile(table, rejected, [c for c in header if c not in columns])


def _header_line(name: str, raw: bytes) -> str:
    """The first line, decoded. A slice: splitting it off would copy the whole file."""
    end = raw.find(b"\n")
    try:
        return raw[: end if end >= 0 else len(raw)].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        _check_utf8(name, raw)  # raises ExportFileError naming the header row
        raise


def _parse(
    name: str, raw: bytes, header: list[str], use_threads: bool
) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    rejected: list[tuple[int, str, str]] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        # Called only for malformed rows (wrong field count, e.g. a truncated last line).
        line = row.number if row.number is not None else 0
        reason = f"expected {row.expected_columns} fields, got {row.actual_columns}"
        rejected.append((line - 1, reason, (row.text or "")[:1000]))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(
                column_names=header,
                skip_rows=1,
                block_size=_BLOCK_SIZE,
                encoding="utf8",
                use_threads=use_threads,
            ),
            # quoted values may hold line breaks (free-text fields of real exports)
            parse_options=pacsv.ParseOptions(
                invalid_row_handler=on_invalid_row, newlines_in_values=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        _check_utf8(name, raw)  # the parser's own UTF-8 check names no row: say which
        raise ExportFileError(f"{name}: cannot be parsed as CSV: {exc}") from exc
    return table, rejected


def _check_utf8(name: str, raw: bytes) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ExportFileError(
                f"{name}: UTF-16 text (byte order mark at byte 0); re-export it as UTF-8"
            ) from exc
        row = raw[: exc.start].count(b"\n")  # 0 = the header row
        where = "the header row" if row == 0 else f"data row {row}"
        column = _column_at(raw, exc.start)
        raise ExportFileError(
            f"{name}: not UTF-8 at {where}{f', column {column}' if column else ''}"
            f" (byte {exc.start}); re-export it as UTF-8"
        ) from exc


def _column_at(raw: bytes, offset: int) -> str | None:
    """The header name of the field that holds byte `offset` (None in the header)."""
    start = raw.rfind(b"\n", 0, offset) + 1
    if start == 0:
        return None
    end = raw.find(b"\n", offset)
    header = raw.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    line = raw[start : end if end >= 0 else len(raw)].decode("utf-8", errors="replace")
    names = [h.strip().lower() for h in next(csv.reader([header]))]
    fields = next(csv.reader([line]), [])
    hits = [i for i, f in enumerate(fields) if "\ufffd" in f and i < len(names)]
    return names[hits[0]] if hits else None


def _row_numbers(n_good: int, rejected_rows: list[int]) -> np.ndarray:
    """Data-row numbers of the rows kept: rejected rows keep their own numbers."""
    if not rejected_rows:
        return np.arange(1, n_good + 1, dtype=np.int64)
    every = np.arange(1, n_good + len(rejected_rows) + 1, dtype=np.int64)
    return np.setdiff1d(every, np.asarray(rejected_rows, dtype=np.int64))[:n_good]
