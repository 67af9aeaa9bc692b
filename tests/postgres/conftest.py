"""A real PostgreSQL 16 (the pgserver package: its own binaries, a unix socket in a
temporary folder), and the session's demo clinic built by `provider-view run` into
PostgreSQL, with Dagster's own storage on PostgreSQL too, beside its DuckDB build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "orchestration.cli"]
WAREHOUSE_DB, DAGSTER_DB = "provider_view", "dagster"


@dataclass
class Server:
    socket_dir: str

    def url(self, dbname: str, scheme: str = "postgresql") -> str:
        return f"{scheme}://postgres@/{dbname}?host={self.socket_dir}"

    def execute(self, dbname: str, sql: str) -> None:
        con = psycopg2.connect(host=self.socket_dir, user="postgres", dbname=dbname)
        con.autocommit = True  # create database refuses to run in a transaction
        try:
            with con.cursor() as cursor:
                cursor.execute(sql)
        finally:
            con.close()

    def query(self, dbname: str, sql: str, params: list | None = None) -> list[tuple]:
        con = psycopg2.connect(host=self.socket_dir, user="postgres", dbname=dbname)
        try:
            with con.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def pg_server() -> Server:
    import pgserver

    # Not under pytest's temporary folders: they are private to root, and as root
    # pgserver runs the server as its own system user, who must reach the data folder.
    # A short path also keeps the socket's path under the unix limit (107 bytes).
    parent = Path(tempfile.mkdtemp(prefix="pv-pg-"))
    parent.chmod(0o755)
    server = pgserver.get_server(parent / "data", cleanup_mode="delete")
    running = Server(str(server.pgdata))
    for name in (WAREHOUSE_DB, DAGSTER_DB):
        running.execute("postgres", f"create database {name}")
    yield running
    server.cleanup()
    shutil.rmtree(parent, ignore_errors=True)


@dataclass
class Builds:
    inputs: Path
    duckdb_file: Path
    duckdb: subprocess.CompletedProcess
    postgres: subprocess.CompletedProcess
    postgres_home: Path
    unused_duckdb_file: Path  # PROVIDER_VIEW_WAREHOUSE of the PostgreSQL run: never written
    server: Server


def _started(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finished(process: subprocess.Popen, what: str) -> subprocess.CompletedProcess:
    output, _ = process.communicate(timeout=900)
    if process.returncode != 0:
        raise AssertionError(f"the {what} build failed:\n{output[-6000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, output, "")


@pytest.fixture(scope="session")
def builds(pg_server: Server, demo_build, tmp_path_factory) -> Builds:
    """The session's demo exports built by `provider-view run` into PostgreSQL, beside the
    session's DuckDB build of the same exports (tests/builds.py). The PostgreSQL run's
    Dagster home uses the deployment's dagster.yaml (orchestration/deploy/
    dagster.postgres.yaml). The DuckDB side's output is what its run printed and, as
    --verbose would have printed them, dbt's own lines from the run's log."""
    root = tmp_path_factory.mktemp("pg_builds")
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PROVIDER_VIEW_", "DAGSTER_PG_", "DAGSTER_HOME"))
    }
    postgres_home = root / "dagster_postgres"
    postgres_home.mkdir()
    shutil.copy(REPO / "orchestration/deploy/dagster.postgres.yaml", postgres_home / "dagster.yaml")
    postgres_env = {
        **base,
        "DAGSTER_HOME": str(postgres_home),
        "DAGSTER_PG_URL": pg_server.url(DAGSTER_DB, scheme="postgresql+psycopg2"),
        "PROVIDER_VIEW_TARGET": "postgres",
        "PROVIDER_VIEW_PG_URL": pg_server.url(WAREHOUSE_DB),
        "PROVIDER_VIEW_WAREHOUSE": str(root / "unused.duckdb"),
    }
    # --verbose: the tests read dbt's own lines (threads, nodes in flight) from the output
    run = _started(["run", "--verbose", "--inputs", str(demo_build.inputs)], postgres_env)
    postgres_run = _finished(run, "PostgreSQL")
    duckdb_log = demo_build.run_log
    assert "Concurrency: " in duckdb_log, "the DuckDB run's log holds no dbt lines"
    duckdb_run = subprocess.CompletedProcess(
        ["provider-view", "run"], demo_build.returncode, demo_build.stdout + duckdb_log, ""
    )
    return Builds(
        demo_build.inputs,
        demo_build.warehouse,
        duckdb_run,
        postgres_run,
        postgres_home,
        root / "unused.duckdb",
        pg_server,
    )
