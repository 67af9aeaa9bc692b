"""What a run left in the warehouse, read back with a read-only connection."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.files import ENTITIES


def load_summary(warehouse: Path) -> list[tuple[str, int, int]]:
    """(entity, rows in staging, rows in quarantine) for every canonical entity."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        quarantined = dict(
            con.sql(
                "select entity, count(*) from staging.stg_files__quarantine group by entity"
            ).fetchall()
        )
        return [
            (
                entity,
                con.sql(f"select count(*) from staging.stg_files__{entity}").fetchall()[0][0],
                quarantined.get(entity, 0),
            )
            for entity in ENTITIES
        ]


def format_summary(rows: list[tuple[str, int, int]]) -> str:
    width = max(len(r[0]) for r in rows)
    lines = [f"{'entity':<{width}}  {'staged':>10}  {'quarantined':>11}"]
    lines += [f"{e:<{width}}  {s:>10,}  {q:>11,}" for e, s, q in rows]
    return "\n".join(lines)
