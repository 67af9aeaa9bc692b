"""`provider-view check --inputs DIR [--map MAP.toml]`: what a run would make of a folder,
without a warehouse (ingestion/files/dryrun.py), printed per entity; exit 1 when a file
would be refused whole or matches no entity."""

from __future__ import annotations

import argparse
import ast
import re
import sys
import time

from ingestion.files.dryrun import DryRun, References, dry_run
from ingestion.files.map_file import ExportMap, MapError, load_map, map_problems
from ingestion.files.reader import ExportFileError
from orchestration.settings import DBT_PROJECT_DIR

_REFERENCES_MACRO = DBT_PROJECT_DIR / "macros" / "references.sql"
_STAGED_MODEL = "stg_files__"


def staging_references() -> References:
    """entity -> [(column, entity it names)], read from the dbt macro staging uses
    (files_references), so the dry run refuses exactly what staging refuses."""
    text = _REFERENCES_MACRO.read_text(encoding="utf-8")
    found = re.search(r"set references = (\{.*?\}) -%\}", text, re.DOTALL)
    if found is None:
        raise RuntimeError(f"{_REFERENCES_MACRO}: no `set references = {{...}}` to read")
    table = ast.literal_eval(found.group(1))
    return {
        entity: [(column, model.removeprefix(_STAGED_MODEL)) for column, model, _key in refs]
        for entity, refs in table.items()
    }


def run_check(inputs: str, export_map: ExportMap | None = None) -> tuple[int, str]:
    """(exit status, report) for a folder."""
    started = time.perf_counter()
    result = dry_run(inputs, staging_references(), export_map)
    seconds = time.perf_counter() - started
    return (1 if result.refused_files or result.unrecognized else 0), format_report(
        result, inputs, seconds
    )


def format_report(result: DryRun, inputs: str, seconds: float) -> str:
    rows = result.entities
    width = max(len(v.entity) for v in rows)
    lines = [
        f"checked {inputs} as a first run into an empty warehouse would load it",
        "",
        f"{'entity':<{width}}  {'rows read':>10}  {'would stage':>11}  {'quarantined':>11}"
        f"  {'superseded':>10}",
    ]
    lines += [
        f"{v.entity:<{width}}  {v.rows_read:>10,}  {v.staged:>11,}  {v.quarantined:>11,}"
        f"  {v.superseded:>10,}"
        for v in rows
    ]
    for v in rows:
        if not v.top_reasons:
            continue
        lines += ["", f"{v.entity}: {v.quarantined:,} quarantined", "  rows  reason"]
        for r in v.top_reasons:
            lines += [f"  {r.rows:>4}  {r.reason}", f"        e.g. {r.example}"]
    ignored = [f for f in result.files if f.ignored_columns]
    if ignored:
        lines += ["", "columns no entity has (ignored):"]
        lines += [f"  {f.file_name}: {', '.join(f.ignored_columns)}" for f in ignored]
    problems = [f"  {f.file_name}: {f.refused}" for f in result.refused_files] + [
        f"  {name}: the name matches no entity, so a run would not load it"
        for name in result.unrecognized
    ]
    if problems:
        lines += ["", f"{len(problems)} file(s) a run would refuse whole (and fail naming):"]
        lines += problems
    read = sum(v.rows_read for v in rows)
    lines += [
        "",
        f"{len(result.files)} files, {read:,} rows checked in {seconds:.1f}s"
        + ("" if problems else "; no file would be refused"),
    ]
    return "\n".join(lines)


def checked_map(path: str, inputs: str) -> ExportMap:
    """The map at `path`, validated on its own and against the headers of the folder's
    files; raises MapError naming every problem."""
    export_map = load_map(path)
    problems = map_problems(export_map, inputs)
    if problems:
        raise MapError("\n".join(problems))
    return export_map


def cmd_check(args: argparse.Namespace) -> int:
    try:
        export_map = checked_map(args.map, args.inputs) if args.map else None
        status, report = run_check(args.inputs, export_map)
    except (MapError, ExportFileError) as exc:
        print(f"provider-view check: {exc}", file=sys.stderr)
        return 2
    print(report)
    return status
