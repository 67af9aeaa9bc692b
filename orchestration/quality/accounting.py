"""Row accounting: every input row ends somewhere, and nothing leaves silently.

For each entity, from the loader's record of what each file held (raw_files.loaded_files):
  rows read from a file = its rows in raw + its rows in quarantine        (per file)
  distinct keys in raw  = rows staged (+ rows staging refused, if it does) (per entity)
so input rows = staged + quarantined + superseded, where superseded = raw rows - keys
(older versions of a key that a newer row replaced, kept in raw by design).

An API source has no files: dlt merges each of its raw tables on the key, so there
  rows in raw_<source>.<entity> (one per key) = rows staged + rows its staging quarantined
(stg_<source>__quarantine, for a source whose staging refuses rows).
"""

from __future__ import annotations

from ingestion import registry
from ingestion.files.entities import Entity

from .outcome import Outcome, markdown_table
from .warehouse import Connection, column_names, relation_exists, try_cast_date


def _key_sql(con: Connection, entity: Entity) -> str:
    """The key as staging groups it (trimmed; value sets in lower case; dates typed)."""
    kinds = {c.name: c.kind for c in entity.columns}
    parts = []
    for k in entity.key:
        if kinds[k] == "enum":
            parts.append(f"lower(trim({k}))")
        elif kinds[k] == "date":
            parts.append(try_cast_date(con, f"trim({k})"))
        else:
            parts.append(f"trim({k})")
    return f"({', '.join(parts)})" if len(parts) > 1 else parts[0]


def accounting_outcome(con: Connection, entity: Entity) -> Outcome:
    staged_model = f"stg_files__{entity.name}"
    needed = [("raw_files", entity.name), ("raw_files", "quarantine"), ("staging", staged_model)]
    missing = [f"{s}.{t}" for s, t in needed if not relation_exists(con, s, t)]
    if missing:
        return Outcome(False, "ERROR", f"cannot account for rows: {', '.join(missing)} missing")
    if not relation_exists(con, "raw_files", "loaded_files"):
        return Outcome(
            False, "WARN", "raw_files.loaded_files is missing: reload to record rows read"
        )

    files = con.execute(
        f"""
        with manifest as (
            select file_name, data_rows, refused from raw_files.loaded_files where entity = ?
        ),
        raw as (
            select _file_name as file_name, count(*) as rows
            from raw_files.{entity.name} group by 1
        ),
        quarantined as (
            select file_name, count(*) as rows
            from raw_files.quarantine where entity = ? and row_number > 0 group by 1
        )
        select
            coalesce(manifest.file_name, raw.file_name, quarantined.file_name) as file_name,
            manifest.file_name is not null as recorded,
            manifest.refused,
            manifest.data_rows,
            coalesce(raw.rows, 0) as raw_rows,
            coalesce(quarantined.rows, 0) as quarantined_rows
        from manifest
        full join raw on raw.file_name = manifest.file_name
        full join quarantined
            on quarantined.file_name = coalesce(manifest.file_name, raw.file_name)
        order by 1
        """,
        [entity.name, entity.name],
    ).fetchall()

    unrecorded = [f for f in files if not f[1]]
    refused = [f for f in files if f[1] and f[2] is not None]
    counted = [f for f in files if f[1] and f[2] is None]
    off = [f for f in counted if f[3] != f[4] + f[5]]
    if any(f[4] or f[5] for f in refused):
        off += [f for f in refused if f[4] or f[5]]  # a refused file left rows behind

    input_rows = sum(f[3] for f in counted)
    raw_rows = sum(f[4] for f in files)
    quarantined = sum(f[5] for f in files)
    keys = con.execute(
        f"select count(distinct {_key_sql(con, entity)}) from raw_files.{entity.name}"
    ).fetchall()[0][0]
    staged = con.execute(f"select count(*) from staging.{staged_model}").fetchall()[0][0]
    refused_at_staging = _refused_at_staging(con, entity.name)

    metadata = {
        "input_rows": input_rows,
        "raw_rows": raw_rows,
        "quarantined_rows": quarantined,
        "superseded_rows": raw_rows - keys,
        "staged_rows": staged,
        "refused_at_staging": refused_at_staging,
        "files_read": len(counted),
        "files_refused": [f[0] for f in refused],
        "files_unrecorded": [f[0] for f in unrecorded],
    }
    problems = []
    if off:
        problems.append(f"{len(off)} file(s) whose rows read != rows in raw + quarantine")
    if staged + refused_at_staging != keys:
        problems.append(
            f"{keys:,} keys in raw but {staged:,} staged"
            + (f" + {refused_at_staging:,} refused at staging" if refused_at_staging else "")
        )
    details = markdown_table(
        ["file", "rows read", "in raw", "in quarantine", "note"],
        [
            (
                f[0],
                f[3],
                f[4],
                f[5],
                "not recorded" if not f[1] else ("refused" if f[2] else ""),
            )
            for f in (off + unrecorded)[:20]
        ],
    )
    summary = (
        f"{input_rows:,} rows read = {staged:,} staged + {quarantined:,} quarantined"
        f" + {raw_rows - keys:,} superseded"
        + (f" + {refused_at_staging:,} refused at staging" if refused_at_staging else "")
    )
    if problems:
        return Outcome(False, "ERROR", "; ".join(problems) + f" ({summary})", metadata, details)
    if unrecorded:
        return Outcome(
            False,
            "WARN",
            f"{len(unrecorded)} file(s) loaded before row accounting began; reload them"
            f" to account for their rows ({summary})",
            metadata,
            details,
        )
    return Outcome(True, description=summary, metadata=metadata)


def _refused_at_staging(con: Connection, entity: str) -> int:
    """Rows staging refuses (e.g. an unknown foreign key), when the staging quarantine
    marks them with `stage = 'staging'`; 0 while staging refuses nothing."""
    if "stage" not in column_names(con, "staging", "stg_files__quarantine"):
        return 0
    return con.execute(
        "select count(*) from staging.stg_files__quarantine where entity = ? and stage = 'staging'",
        [entity],
    ).fetchall()[0][0]


def source_accounting_outcome(con: Connection, source: str, entity: str) -> Outcome:
    """Row accounting of an API source's staged entity (see the module docstring)."""
    raw, staged_model = f"raw_{source}", f"stg_{source}__{entity}"
    if not relation_exists(con, "staging", staged_model):
        return Outcome(False, "ERROR", f"cannot account for rows: staging.{staged_model} missing")
    if not relation_exists(con, raw, entity):
        return Outcome(True, description=f"{raw}.{entity} not loaded yet: nothing to account for")
    raw_rows = con.execute(f"select count(*) from {raw}.{entity}").fetchall()[0][0]
    staged = con.execute(f"select count(*) from staging.{staged_model}").fetchall()[0][0]
    quarantined = 0
    if registry.API_SOURCES[source].quarantines:  # its staging refuses rows, listed there
        quarantine = f"stg_{source}__quarantine"
        if not relation_exists(con, "staging", quarantine):
            return Outcome(False, "ERROR", f"cannot account for rows: staging.{quarantine} missing")
        quarantined = con.execute(
            f"select count(*) from staging.{quarantine} where entity = ?", [entity]
        ).fetchall()[0][0]
    metadata = {"raw_rows": raw_rows, "staged_rows": staged, "quarantined_rows": quarantined}
    summary = (
        f"{raw_rows:,} rows in {raw}.{entity} = {staged:,} staged + {quarantined:,} quarantined"
    )
    if raw_rows != staged + quarantined:
        return Outcome(
            False,
            "ERROR",
            f"{raw_rows:,} rows in {raw}.{entity} but {staged:,} staged + {quarantined:,}"
            f" quarantined: {raw_rows - staged - quarantined:+,} unaccounted for",
            metadata,
        )
    return Outcome(True, description=summary, metadata=metadata)
