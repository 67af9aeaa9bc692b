"""What a run left in the warehouse, read back with a read-only connection."""

from __future__ import annotations

from pathlib import Path

from ingestion.files import ENTITIES
from orchestration.quality.warehouse import read_only_target


def load_summary(warehouse: Path) -> list[tuple[str, int, int]]:
    """(entity, rows in staging, rows in quarantine) for every canonical entity, summed
    over the sources (stg_<source>__<entity>, stg_<source>__quarantine)."""
    with read_only_target(str(warehouse)) as con:
        models = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'staging'"
            ).fetchall()
            if name.startswith("stg_")
        ]

        def of(entity: str) -> list[str]:
            return [m for m in models if m.split("__", 1)[-1] == entity]

        quarantined: dict[str, int] = {}
        for model in of("quarantine"):
            for entity, count in con.execute(
                f"select entity, count(*) from staging.{model} group by entity"
            ).fetchall():
                quarantined[entity] = quarantined.get(entity, 0) + count
        return [
            (
                entity,
                sum(
                    con.execute(f"select count(*) from staging.{m}").fetchall()[0][0]
                    for m in of(entity)
                ),
                quarantined.get(entity, 0),
            )
            for entity in ENTITIES
        ]


def format_summary(rows: list[tuple[str, int, int]], refused: list[tuple[str, str]] = ()) -> str:
    """The table; with `refused` (entity, why) files refused whole by this run, a column
    counts them per entity and a line per file says why (raw_files.quarantine has them)."""
    width = max(len(r[0]) for r in rows)
    files: dict[str, int] = {}
    for entity, _ in refused:
        files[entity] = files.get(entity, 0) + 1
    extra = f"  {'files refused':>13}" if refused else ""
    lines = [f"{'entity':<{width}}  {'staged':>10}  {'quarantined':>11}{extra}"]
    for e, s, q in rows:
        extra = f"  {files.get(e, 0):>13}" if refused else ""
        lines.append(f"{e:<{width}}  {s:>10,}  {q:>11,}{extra}")
    lines += [f"refused whole ({entity}): {why}" for entity, why in refused]
    return "\n".join(lines)
