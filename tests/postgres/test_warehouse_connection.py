"""The checks' read-only connection (orchestration/quality/warehouse.py) answers the same
on DuckDB and on PostgreSQL: placeholders, the dialect helpers, frames, samples."""

from __future__ import annotations

import os

import duckdb
import pytest
from dagster import build_resources

from orchestration import settings
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.warehouse import (
    read_only_target,
    regex_matches,
    relation_exists,
    sample,
    try_cast_date,
    unavailable,
)

_TABLE = """
    create schema checks_probe;
    create table checks_probe.t as
    select i as n, cast(i as varchar) || '-x' as label, cast(i * 1.25 as decimal(18, 2)) as amount
    from generate_series(1, 100) as s(i);
"""


@pytest.fixture(params=["duckdb", "postgres"])
def target(request, tmp_path, monkeypatch):
    """A small table on each target, and the environment that selects it."""
    path = tmp_path / "w.duckdb"
    if request.param == "duckdb":
        monkeypatch.delenv(settings.TARGET_ENV, raising=False)
        with duckdb.connect(str(path)) as con:
            con.execute(_TABLE)
    else:
        server = request.getfixturevalue("pg_server")
        dbname = "checks_probe"
        server.execute("postgres", f"drop database if exists {dbname}")
        server.execute("postgres", f"create database {dbname}")
        server.execute(dbname, _TABLE)
        monkeypatch.setenv(settings.TARGET_ENV, "postgres")
        monkeypatch.setenv(settings.PG_URL_ENV, server.url(dbname))
    return str(path)


def test_placeholders_and_dialect_helpers_agree(target):
    assert unavailable(target) is None
    with read_only_target(target) as con:
        assert relation_exists(con, "checks_probe", "t")
        assert not relation_exists(con, "checks_probe", "missing")
        matched = con.execute(
            f"select count(*) from checks_probe.t where {regex_matches(con, 'label', '?')}"
            " and n > ?",
            ["^[0-9]5-", 20],
        ).fetchall()
        assert matched == [(8,)]  # 25, 35, ..., 95
        dates = con.execute(
            f"select {try_cast_date(con, 'v')} from (values (1, '2026-02-03'),"
            " (2, 'not a date'), (3, '2026-2-3x')) as t(i, v) order by i"
        ).fetchall()
        assert [str(d) if d else d for (d,) in dates] == ["2026-02-03", None, None]


def test_frames_read_decimals_as_numbers_and_samples_repeat(target):
    with read_only_target(target) as con:
        frame = con.execute("select n, amount from checks_probe.t order by n").df()
        assert frame["amount"].dtype == "float64"
        assert frame["amount"].sum() == pytest.approx(1.25 * 5050)
        picked = [
            sorted(con.execute(sample(con, "n", "checks_probe.t", 10)).df()["n"]) for _ in range(2)
        ]
    assert len(picked[0]) == 10 and picked[0] == picked[1]


def test_an_unreachable_postgres_is_one_message(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.TARGET_ENV, "postgres")
    monkeypatch.setenv(settings.PG_URL_ENV, f"postgresql://postgres@/none?host={tmp_path}")
    assert unavailable("unused").startswith("cannot connect to the PostgreSQL warehouse:")
    monkeypatch.delenv(settings.TARGET_ENV)
    assert unavailable(str(tmp_path / "no.duckdb")) == f"no warehouse at {tmp_path / 'no.duckdb'}"


def test_the_warehouse_resource_hands_the_connection_to_dbt(monkeypatch):
    """dbt runs as a subprocess of the step: the resource sets what profiles.yml reads."""
    for name in settings.PgConnection("h", 1, "u", "p", "d").dbt_env():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(settings.TARGET_ENV, "postgres")
    monkeypatch.setenv(settings.PG_URL_ENV, "postgresql://pv:pw@db.internal:6543/wh")
    with build_resources({"warehouse": WarehouseResource()}):
        assert os.environ["PROVIDER_VIEW_PG_HOST"] == "db.internal"
        assert os.environ["PROVIDER_VIEW_PG_PORT"] == "6543"
        assert os.environ["PROVIDER_VIEW_PG_DATABASE"] == "wh"
