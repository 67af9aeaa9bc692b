"""Personal data stops at staging: scan relations past staging for anything that looks
like an email address or a phone number, in values and in column names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingestion.files.rules import ident

from .outcome import Outcome, markdown_table
from .warehouse import Connection, regex_matches

# Layers allowed to hold personal data: raw (every raw_<source> dataset and dlt's merge
# staging datasets) and staging. Everything else is scanned.
_ALLOWED_SCHEMAS = "table_schema like 'raw\\_%' escape '\\' or table_schema = 'staging'"
_SYSTEM_SCHEMAS = "('information_schema', 'pg_catalog')"

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# 10 digits (optionally +1 and separators) not glued to other letters or digits, so a
# hash or a click id with a run of digits does not count
PHONE = (
    r"(^|[^0-9A-Za-z])(\+?1[ .-]?)?\(?[2-9][0-9]{2}\)?[ .-]?[0-9]{3}[ .-]?[0-9]{4}([^0-9A-Za-z]|$)"
)
_PERSONAL_NAME = r"(^|_)(e_?mail|phone|mobile|telephone)(_|$)"
# text columns as information_schema names them (DuckDB; PostgreSQL)
_TEXT_TYPES = ("VARCHAR", "TEXT", "CHARACTER VARYING")


@dataclass(frozen=True)
class Finding:
    relation: str
    column: str
    what: str  # "email value", "phone value", "personal column name"
    rows: int
    example: str


def relations_past_staging(con: Connection) -> list[str]:
    return [
        f"{s}.{t}"
        for s, t in con.execute(
            f"""
            select table_schema, table_name from information_schema.tables
            where not ({_ALLOWED_SCHEMAS}) and table_schema not in {_SYSTEM_SCHEMAS}
            order by 1, 2
            """
        ).fetchall()
    ]


def scan_relation(con: Connection, relation: str) -> list[Finding]:
    schema, name = relation.split(".", 1)
    columns = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ?",
        [schema, name],
    ).fetchall()
    findings = []
    probes = []  # (column, what, pattern): every value probe of the relation
    for column, data_type in columns:
        lowered = column.lower()
        if re.search(_PERSONAL_NAME, lowered) and not lowered.endswith("_hash"):
            findings.append(Finding(relation, column, "personal column name", 0, column))
        if not data_type.upper().startswith(_TEXT_TYPES):
            continue
        probes.append((column, "email value", EMAIL))
        if not lowered.endswith("_id"):  # identifiers (an ad account 123-456-7890) are not phones
            probes.append((column, "phone value", PHONE))
    table = f"{schema}.{ident(name)}"
    probes = _screened(con, table, probes)
    if not probes:
        return findings
    aggregates = []
    for column, _what, _pattern in probes:
        matched = regex_matches(con, ident(column), "?")
        aggregates += [
            f"count(*) filter (where {matched})",
            f"min({ident(column)}) filter (where {matched})",
        ]
    values = con.execute(
        f"select {', '.join(aggregates)} from {table}",
        [pattern for _column, _what, pattern in probes for _twice in (0, 1)],
    ).fetchall()[0]
    for i, (column, what, _pattern) in enumerate(probes):
        rows, example = values[2 * i], values[2 * i + 1]
        if rows:
            findings.append(Finding(relation, column, what, rows, _mask(example)))
    order = {column: i for i, (column, _type) in enumerate(columns)}
    kinds = ("personal column name", "email value", "phone value")
    return sorted(findings, key=lambda f: (order[f.column], kinds.index(f.what)))


def _screened(
    con: Connection, relation: str, probes: list[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """The probes of the columns where any of their patterns matches somewhere. One
    pattern per column (its probes' patterns joined): a clean relation, the usual case,
    costs one regular expression per value instead of one per probe; only columns with
    a hit get the probe by probe scan that counts and shows each finding."""
    patterns: dict[str, list[str]] = {}
    for column, _what, pattern in probes:
        patterns.setdefault(column, []).append(f"(?:{pattern})")
    if not patterns:
        return []
    counts = con.execute(
        "select "
        + ", ".join(
            f"count(*) filter (where {regex_matches(con, ident(c), '?')})" for c in patterns
        )
        + f" from {relation}",
        ["|".join(p) for p in patterns.values()],
    ).fetchall()[0]
    hit = {column for column, count in zip(patterns, counts, strict=True) if count}
    return [probe for probe in probes if probe[0] in hit]


def _mask(value: str) -> str:
    """Enough to find the row, not enough to read the address or number."""
    text = str(value)
    return text[:3] + "…" + f" ({len(text)} chars)"


def privacy_outcome(con: Connection, relation: str) -> Outcome:
    if relation not in relations_past_staging(con):
        return Outcome(False, "WARN", f"{relation} does not exist (not built yet?)")
    findings = scan_relation(con, relation)
    if not findings:
        return Outcome(True, description=f"no email or phone in {relation}")
    return Outcome(
        False,
        "ERROR",
        f"personal data past staging in {relation}: "
        + ", ".join(f"{f.what} in {f.column}" for f in findings),
        {"findings": [f.__dict__ for f in findings]},
        markdown_table(
            ["column", "what", "rows", "example (masked)"],
            [(f.column, f.what, f.rows, f.example) for f in findings],
        ),
    )
