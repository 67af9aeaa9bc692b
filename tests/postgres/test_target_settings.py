"""The one setting that picks the target, and PROVIDER_VIEW_PG_URL parsed once for dlt,
dbt and the checks (no server needed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from orchestration import settings
from orchestration.defs.resources import dlt_destination
from orchestration.quality.warehouse import _pyformat

from .conftest import REPO


def test_a_tcp_url_gives_every_part():
    pg = settings.parse_pg_url(
        "postgresql://pv:s%40cret@db.internal:6543/warehouse?sslmode=require"
    )
    assert pg == settings.PgConnection(
        "db.internal", 6543, "pv", "s@cret", "warehouse", sslmode="require"
    )
    assert pg.dbt_env() == {
        "PROVIDER_VIEW_PG_HOST": "db.internal",
        "PROVIDER_VIEW_PG_PORT": "6543",
        "PROVIDER_VIEW_PG_USER": "pv",
        "PROVIDER_VIEW_PG_PASSWORD": "s@cret",
        "PROVIDER_VIEW_PG_DATABASE": "warehouse",
        "PROVIDER_VIEW_PG_SSLMODE": "require",
    }
    assert pg.display() == "postgresql://pv@db.internal:6543/warehouse"  # no password


def test_a_unix_socket_url_puts_the_socket_directory_in_host():
    pg = settings.parse_pg_url("postgresql://postgres@/provider_view?host=/tmp/pg%20sock")
    assert (pg.host, pg.port, pg.user, pg.password, pg.dbname) == (
        "/tmp/pg sock",
        5432,
        "postgres",
        "",
        "provider_view",
    )
    assert pg.is_socket and pg.sslmode == "prefer"
    assert pg.display() == "postgresql://postgres@/provider_view?host=/tmp/pg sock"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/db", "must start with postgresql://"),
        ("postgresql://u@/db", "no host"),
        ("postgresql://u@h:5432", "no database name"),
        ("postgresql://u@h:port/db", "port is not a number"),
        ("postgresql://u@h/db?sslmod=require", r"unsupported parameter\(s\) sslmod; supported"),
    ],
)
def test_a_bad_url_is_one_clear_error(url, message):
    with pytest.raises(ValueError, match=message):
        settings.parse_pg_url(url)


def test_the_target_defaults_to_duckdb_and_names_the_known_ones(monkeypatch):
    monkeypatch.delenv(settings.TARGET_ENV, raising=False)
    assert settings.target() == "duckdb"
    monkeypatch.setenv(settings.TARGET_ENV, "Postgres")
    assert settings.target() == "postgres"
    monkeypatch.setenv(settings.TARGET_ENV, "snowflake")
    with pytest.raises(ValueError, match="known: duckdb, postgres"):
        settings.target()


def test_the_dlt_destination_follows_the_target(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.TARGET_ENV, raising=False)
    assert dlt_destination(str(tmp_path / "w.duckdb")).destination_type.endswith("duckdb")
    monkeypatch.setenv(settings.TARGET_ENV, "postgres")
    monkeypatch.setenv(settings.PG_URL_ENV, "postgresql://pv:pw@/wh?host=/run/pg")
    destination = dlt_destination(str(tmp_path / "w.duckdb"))
    assert destination.destination_type.endswith("postgres")
    credentials = destination.config_params["credentials"]
    # dlt writes a URL: the socket directory goes in its query, where libpq reads it
    assert (credentials.database, credentials.username, credentials.password) == ("wh", "pv", "pw")
    assert credentials.query == {"host": "/run/pg", "sslmode": "prefer"}


def test_placeholders_become_psycopg2_ones_outside_string_literals():
    sql = "select '?', '5%', x from t where a = ? and b like 'a%''?' and c = ?"
    assert _pyformat(sql) == (
        "select '?', '5%%', x from t where a = %s and b like 'a%%''?' and c = %s"
    )


def test_postgres_without_a_url_is_one_line_and_a_non_zero_exit(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DAGSTER_HOME": str(tmp_path / "home"),
        settings.TARGET_ENV: "postgres",
    }
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--inputs", str(tmp_path)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "provider-view run: PROVIDER_VIEW_TARGET=postgres needs"
        " PROVIDER_VIEW_PG_URL=postgresql://user@host/db"
    )
