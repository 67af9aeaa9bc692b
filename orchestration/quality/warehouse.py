"""Read-only access to the DuckDB warehouse for checks: a reader never takes the
writer's lock, and checks run in the writers' pool so no writer holds it meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def read_only(path: str) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(path, read_only=True)
    try:
        yield con
    finally:
        con.close()


def relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()[0][0]
    )


def column_names(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, name],
        ).fetchall()
    ]


def missing_relations(con: duckdb.DuckDBPyConnection, relations: list[str]) -> list[str]:
    """The `schema.name` relations of the list that do not exist."""
    return [r for r in relations if not relation_exists(con, *r.split(".", 1))]
