"""How much of each entity the loader refused: quarantined rows as a share of the rows
read (raw rows + quarantined rows). Any quarantined row warns; a share over the
threshold, or a file refused whole, is an error."""

from __future__ import annotations

import math

from .outcome import Outcome, markdown_table
from .warehouse import Connection, relation_exists

# A quarantine reason quotes the bad value; for contact columns show that there was one.
_HIDE_PERSONAL = r"regexp_replace(reason, '(in (email|phone)): ''[^'']*''', '\1: (hidden)', 'g')"
_EXAMPLES = 5


def quarantine_outcomes(
    con: Connection, entities: list[str], max_share: dict[str, float]
) -> dict[str, Outcome]:
    """One outcome per entity; `max_share[entity]` is its error threshold (0.05 = 5%)."""
    return {e: _entity_outcome(con, e, max_share[e]) for e in entities}


def _entity_outcome(con: Connection, entity: str, max_share: float) -> Outcome:
    if not relation_exists(con, "raw_files", entity):
        return Outcome(False, "ERROR", f"raw_files.{entity} does not exist: nothing was loaded")
    raw_rows = con.execute(f"select count(*) from raw_files.{entity}").fetchall()[0][0]
    quarantined, refused, kinds, examples = 0, [], [], []
    if relation_exists(con, "raw_files", "quarantine"):
        quarantined = con.execute(
            "select count(*) from raw_files.quarantine where entity = ? and row_number > 0",
            [entity],
        ).fetchall()[0][0]
        refused = con.execute(
            f"select file_name, {_HIDE_PERSONAL} from raw_files.quarantine"
            " where entity = ? and row_number = 0 order by file_name",
            [entity],
        ).fetchall()
        kinds = con.execute(
            """
            select regexp_replace(kind, '[ ]*[:''(].*$', '') as kind, count(*) as rows
            from (
                select unnest(string_to_array(reason, '; ')) as kind
                from raw_files.quarantine where entity = ? and row_number > 0
            ) as reasons
            group by 1 order by rows desc, kind limit 10
            """,
            [entity],
        ).fetchall()
        examples = con.execute(
            f"""
            select file_name, row_number, record_key, {_HIDE_PERSONAL}
            from raw_files.quarantine where entity = ? and row_number > 0
            order by file_name, row_number limit {_EXAMPLES}
            """,
            [entity],
        ).fetchall()
    read = raw_rows + quarantined
    share = quarantined / read if read else 0.0
    metadata = {
        "rows_read": read,
        "rows_loaded": raw_rows,
        "rows_quarantined": quarantined,
        "quarantined_share": round(share, 6),
        "max_share": max_share,
        "files_refused": [f for f, _ in refused],
        "reasons": {k: n for k, n in kinds},
    }
    details = ""
    if refused or examples:
        details = markdown_table(
            ["file", "row", "key", "reason"],
            [(f, 0, "", r) for f, r in refused] + [tuple(e) for e in examples],
        )
        details += "\n\nAll rows: `select * from staging.stg_files__quarantine where entity = '"
        details += entity + "'`"
    if refused:
        names = ", ".join(f for f, _ in refused)
        return Outcome(
            False, "ERROR", f"{len(refused)} file(s) refused whole: {names}", metadata, details
        )
    if share > max_share:
        return Outcome(
            False,
            "ERROR",
            f"{quarantined:,} of {read:,} rows quarantined ({percent(share)}),"
            f" over the {max_share:.1%} threshold",
            metadata,
            details,
        )
    if quarantined:
        return Outcome(
            False,
            "WARN",
            f"{quarantined:,} of {read:,} rows quarantined ({percent(share)});"
            f" the error threshold is {max_share:.1%}",
            metadata,
            details,
        )
    return Outcome(True, description=f"no row of {read:,} quarantined", metadata=metadata)


def percent(share: float) -> str:
    """A share as a percentage with its first significant digit shown: 3 of 90,108 reads
    0.003%, not 0.00%."""
    value = share * 100
    if value == 0:
        return "0%"
    return f"{value:.{max(1, -math.floor(math.log10(value)))}f}%"
