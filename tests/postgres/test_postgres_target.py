"""PROVIDER_VIEW_TARGET=postgres: the demo clinic built on a real PostgreSQL 16 equals the
DuckDB build of the same exports, mart for mart and row for row; the quality checks run
there (through a PostgreSQL connection) with the same results; dbt runs several models
at once there, one at a time on DuckDB."""

from __future__ import annotations

import re

import duckdb
import pytest

from .conftest import WAREHOUSE_DB
from .marts import declared_columns, first_difference, mart_tables, normalized_rows

pytestmark = pytest.mark.slow  # its fixture runs the CLI end to end

_CHECKS = re.compile(r"^checks: (\d+) passed, (\d+) warning\(s\), (\d+) failed$", re.M)


def test_every_mart_on_postgres_equals_the_duckdb_build_row_for_row(builds):
    server = builds.server
    with duckdb.connect(str(builds.duckdb_file), read_only=True) as con:
        tables = mart_tables(con)
        reference = {}
        for table in tables:
            columns = declared_columns(con, table)
            names = ", ".join(f'"{c[0]}"' for c in columns)
            rows = con.execute(f"select {names} from marts.{table}").fetchall()
            reference[table] = (columns, normalized_rows(rows, columns))
    on_postgres = [
        name
        for (name,) in server.query(
            WAREHOUSE_DB,
            "select table_name from information_schema.tables"
            " where table_schema = 'marts' order by table_name",
        )
    ]
    assert on_postgres == tables
    assert len(tables) >= 12  # every mart, the facts and dimensions included

    for table, (columns, expected) in reference.items():
        names = [c[0] for c in columns]
        postgres_columns = [
            name
            for (name,) in server.query(
                WAREHOUSE_DB,
                "select column_name from information_schema.columns"
                " where table_schema = 'marts' and table_name = %s order by ordinal_position",
                [table],
            )
        ]
        assert postgres_columns == names, table
        quoted = ", ".join(f'"{n}"' for n in names)
        actual = normalized_rows(
            server.query(WAREHOUSE_DB, f"select {quoted} from marts.{table}"), columns
        )
        assert expected, f"marts.{table} is empty: nothing would be compared"
        assert actual == expected, f"marts.{table}: " + first_difference(expected, actual, names)


def test_the_quality_checks_run_on_postgres_with_the_duckdb_results(builds):
    on_duckdb = _CHECKS.search(builds.duckdb.stdout)
    on_postgres = _CHECKS.search(builds.postgres.stdout)
    assert on_duckdb and on_postgres, builds.postgres.stdout[-3000:]
    passed, warnings, failed = map(int, on_postgres.groups())
    assert failed == 0
    assert passed > 300  # GX suites, quarantine, accounting, freshness, reconciliations, privacy
    assert on_postgres.groups() == on_duckdb.groups()
    # the demo's planted bad rows warn, with the same counts, on both
    assert warnings > 0
    assert _warning_lines(builds.postgres.stdout) == _warning_lines(builds.duckdb.stdout)
    assert f"warehouse: postgresql://postgres@/{WAREHOUSE_DB}?host=" in builds.postgres.stdout


def test_the_postgres_run_wrote_postgres_only(builds):
    # dlt loaded the raw tables and dbt built staging there, not into any DuckDB file
    loaded = builds.server.query(
        WAREHOUSE_DB,
        "select count(*) from raw_files.loaded_files where refused is null",
    )[0][0]
    assert loaded >= 9  # one per canonical entity
    staged = builds.server.query(
        WAREHOUSE_DB, "select count(*) from staging.stg_files__appointments"
    )[0][0]
    assert staged > 1000
    assert not builds.unused_duckdb_file.exists()


def test_dbt_runs_several_models_at_once_on_both_targets(builds):
    """The one-slot pool `duckdb_warehouse` limits Dagster steps; dbt's threads run inside
    its one step and come from the profile: 4 on PostgreSQL, and 4 on DuckDB too, as
    cursors of dbt's one connection (still one writer process on the file)."""
    assert "Concurrency: 4 threads (target='postgres')" in builds.postgres.stdout
    assert _most_nodes_in_flight(builds.postgres.stdout) > 1
    assert "Concurrency: 4 threads (target='duckdb')" in builds.duckdb.stdout
    assert _most_nodes_in_flight(builds.duckdb.stdout) > 1


def _warning_lines(output: str) -> list[str]:
    return sorted(line.strip() for line in output.splitlines() if line.strip().startswith("WARN "))


_NODE = re.compile(r"\b(\d+) of \d+ (START|OK|PASS|WARN|ERROR|FAIL|SKIP)\b")


def _most_nodes_in_flight(output: str) -> int:
    """From dbt's log lines ("12 of 335 START ...", "12 of 335 OK created ..."): the most
    nodes started and not yet finished at any point."""
    running: set[str] = set()
    most = 0
    for number, state in _NODE.findall(output):
        if state == "START":
            running.add(number)
            most = max(most, len(running))
        else:
            running.discard(number)
    return most
