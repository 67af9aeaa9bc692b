"""Find an entity's export files in a folder (local path or any fsspec URL) and read
one file into an Arrow table of strings, keeping rows the CSV parser rejects."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

# One field may be large (free-text notes); a block must hold a whole row.
_BLOCK_SIZE = 64 << 20


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


def list_export_files(folder: str, entity: str) -> list[ExportFile]:
    """CSV files whose name is the entity's name or starts with it plus '_' or '-',
    sorted by name (the later name wins ties under METRICS.md's dedupe rule)."""
    fs, root = fsspec.core.url_to_fs(folder)
    if not fs.exists(root):
        raise ExportFileError(f"input folder not found: {folder}")
    files = []
    for info in fs.ls(root, detail=True):
        path = info["name"]
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if info.get("type") != "file" or not name.lower().endswith(".csv"):
            continue
        stem = name[: -len(".csv")]
        if stem == entity or stem.startswith((entity + "_", entity + "-")):
            stamp = info.get("mtime") or info.get("LastModified") or info.get("ETag") or ""
            url = fs.unstrip_protocol(path)
            files.append(ExportFile(url, name, f"{info.get('size')}:{stamp}"))
    return sorted(files, key=lambda f: f.name)


def read_export_file(export: ExportFile, columns: list[str], required: list[str]) -> ParsedFile:
    """Read a CSV export as strings. A missing required column, a non-UTF-8 file or an
    unparseable file raises ExportFileError naming the file (and the column)."""
    with fsspec.open(export.url, "rb") as fh:
        raw = fh.read()
    if raw.startswith(b"\xef\xbb\xbf"):  # spreadsheet tools write a UTF-8 BOM
        raw = raw[3:]
    _check_utf8(export.name, raw)
    header_line = raw.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    if not header_line.strip():
        raise ExportFileError(f"{export.name}: empty file, no header row")
    header = [h.strip() for h in next(csv.reader([header_line]))]
    missing = [c for c in required if c not in header]
    if missing:
        raise ExportFileError(
            f"{export.name}: missing required column(s) {', '.join(missing)}"
            f" (found: {', '.join(header)})"
        )

    table, rejected = _parse(export.name, raw, header, use_threads=True)
    if any(r[0] < 1 for r in rejected):  # only the serial reader knows line numbers
        table, rejected = _parse(export.name, raw, header, use_threads=False)
    table = table.select([c for c in header if c in columns])
    for name in columns:
        if name not in table.column_names:  # optional column absent from this file
            table = table.append_column(name, pa.nulls(table.num_rows, pa.string()))
    row_numbers = _row_numbers(table.num_rows, [r[0] for r in rejected])
    table = table.select(columns).append_column("_row_number", pa.array(row_numbers, pa.int64()))
    return ParsedFile(table, rejected, [c for c in header if c not in columns])


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
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise ExportFileError(f"{name}: cannot be parsed as CSV: {exc}") from exc
    return table, rejected


def _check_utf8(name: str, raw: bytes) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n")  # 0 = the header row
        raise ExportFileError(
            f"{name}: not UTF-8 at data row {row} (byte {exc.start}); re-export it as UTF-8"
        ) from exc


def _row_numbers(n_good: int, rejected_rows: list[int]) -> np.ndarray:
    """Data-row numbers of the rows kept: rejected rows keep their own numbers."""
    if not rejected_rows:
        return np.arange(1, n_good + 1, dtype=np.int64)
    every = np.arange(1, n_good + len(rejected_rows) + 1, dtype=np.int64)
    return np.setdiff1d(every, np.asarray(rejected_rows, dtype=np.int64))[:n_good]
