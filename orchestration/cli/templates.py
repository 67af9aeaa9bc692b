"""`provider-view templates DIR`: a header-only CSV per entity and FORMAT.md, written from
the loader's entity specs (ingestion/files/entities.py) and staging's references, so
the templates cannot drift from what a run accepts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from ingestion.files import rules
from ingestion.files.entities import ENTITIES, Column, Entity
from ingestion.files.validate import MAX_FIELD_CHARS
from orchestration.cli.check import staging_references
from orchestration.settings import DATA_DIR

# What each kind accepts, and an example value of it.
_KINDS = {
    "text": ("text", ""),
    "timestamp": ("timestamp, ISO 8601", "2026-11-02T15:45:00"),
    "date": ("date, ISO 8601 (YYYY-MM-DD)", "2026-11-02"),
    "decimal": ("decimal number, a point for decimals, no thousands separator", "250.00"),
    "integer": ("whole number", "1200"),
    "boolean": ("true or false", "true"),
    "timezone": ("IANA time zone", "America/Denver"),
    "enum": ("one of the allowed values (any case)", ""),
}
_SAMPLE = DATA_DIR / "sample"


def cmd_templates(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        print(f"provider-view templates: {folder} is a file, not a folder", file=sys.stderr)
        return 2
    for path in write_templates(folder):
        print(f"wrote {path}")
    print("fill one CSV per entity (FORMAT.md says what each column takes), then:")
    print(f"  provider-view check --inputs {folder}")
    return 0


def write_templates(folder: Path) -> list[Path]:
    """Write <entity>.csv (header only) for every entity and FORMAT.md; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for entity in ENTITIES.values():
        path = folder / f"{entity.name}.csv"
        path.write_text(",".join(entity.column_names) + "\n", encoding="utf-8")
        written.append(path)
    path = folder / "FORMAT.md"
    path.write_text(format_markdown(), encoding="utf-8")
    return [*written, path]


def format_markdown() -> str:
    references = staging_references()
    lines = [
        "# The canonical import format",
        "",
        "One CSV file per entity (UTF-8, a header row, comma-separated), named after the",
        "entity: `appointments.csv`, or several files whose names start with it",
        "(`appointments_2026-11-02.csv`). Column names are matched in any case; columns",
        "not listed are ignored; an optional column may be left out of the header.",
        "A later row of the same key updates it: the latest `updated_at` wins where an",
        "entity has one, else the file whose name sorts last, then the last row.",
        "",
        "A timestamp without an offset is local time at the row's location (a lead's: its",
        "clinic's first location); one with an offset or `Z` is converted to that zone.",
        "",
        "Every row is checked before it loads; a row that fails goes to the quarantine",
        "with its reason, and a file without a required column is refused whole.",
        f"Timestamps and dates before {rules.EARLIEST} are refused as placeholders, and so",
        f"are those more than {rules.FUTURE_TOLERANCE} ahead (unless marked *may be ahead*).",
        f"A value longer than {MAX_FIELD_CHARS} characters and a text that a spreadsheet",
        "would run as a formula (`=...`) are refused. Check a folder before a run with",
        "`provider-view check --inputs DIR`. A vendor's report can also be read as it is,",
        "through a column map (`--map MAP.toml`, see the README's 'Your own exports').",
        "",
        "Metric definitions: `dbt_project/METRICS.md` (section 1 is this format).",
    ]
    for entity in ENTITIES.values():
        lines += ["", *_entity_section(entity, dict(references.get(entity.name, [])))]
    return "\n".join(lines) + "\n"


def _entity_section(entity: Entity, references: dict[str, str]) -> list[str]:
    key = ", ".join(f"`{k}`" for k in entity.key)
    lines = [
        f"## {entity.name}",
        "",
        f"Key: {key}" + (" (together)" if len(entity.key) > 1 else ""),
    ]
    if entity.version_column:
        lines[-1] += f"; versions ordered by `{entity.version_column}`"
    lines += [
        "",
        "| column | type | required | allowed values | example |",
        "|---|---|---|---|---|",
    ]
    examples = _sample_values(entity)
    for col in entity.columns:
        kind, example = _KINDS[col.kind]
        if col.may_be_future:
            kind += " (may be ahead)"
        allowed = ", ".join(col.values)
        if col.name in references:
            allowed = f"a `{references[col.name]}` key"
        example = col.values[0] if col.values else (examples.get(col.name) or example)
        lines.append(f"| `{col.name}` | {kind} | {_required(col)} | {allowed} | {_cell(example)} |")
    return lines


def _required(col: Column) -> str:
    return "required" if col.required else "optional"


def _cell(value: str) -> str:
    return f"`{value}`" if value else ""


def _sample_values(entity: Entity) -> dict[str, str]:
    """The first non-empty value of each text column in the shipped sample, if present."""
    path = _SAMPLE / f"{entity.name}.csv"
    texts = [c.name for c in entity.columns if c.kind == "text"]
    if not path.exists() or not texts:
        return {}
    firsts = ", ".join(
        f"first(nullif(trim({c}), '')) filter (nullif(trim({c}), '') is not null)"
        for c in map(rules.ident, texts)
    )
    with duckdb.connect() as con:
        row = con.sql(
            f"select {firsts} from read_csv(?, all_varchar = true, null_padding = true)",
            params=[str(path)],
        ).fetchall()[0]
    return {c: v for c, v in zip(texts, row, strict=True) if v}
