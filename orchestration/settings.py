"""Paths and run settings, read from the environment when asked (never at import).

PROVIDER_VIEW_WAREHOUSE  DuckDB file of the warehouse (default data/warehouse.duckdb)
PROVIDER_VIEW_INPUTS     folder or fsspec URL of canonical exports (default data/inputs)
PROVIDER_VIEW_MAP        column map (MAP.toml) the file source reads the inputs through
PROVIDER_VIEW_AS_OF      as-of date for the metrics, YYYY-MM-DD (default: from the data)
PROVIDER_VIEW_SOURCES    comma-separated sources the refresh job loads (default "files"):
                         files or any source of ingestion/registry.py
PROVIDER_VIEW_TARGET     where dlt loads and dbt builds: duckdb (default) or postgres
PROVIDER_VIEW_PG_URL     the PostgreSQL database of the postgres target:
                         postgresql://user:password@host:port/dbname, or for a unix socket
                         postgresql://user@/dbname?host=/socket/dir

Unset, the warehouse, inputs and sources are what the CLI last ran on this Dagster
instance (recorded in <DAGSTER_HOME>/provider_view.json), so the UI, the schedule and the
sensors work on what the CLI just built. Each warehouse has its own instance.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ingestion import registry

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DATA_DIR = REPO_ROOT / "data"
DAGSTER_HOME = DATA_DIR / "dagster"

WAREHOUSE_ENV = "PROVIDER_VIEW_WAREHOUSE"
INPUTS_ENV = "PROVIDER_VIEW_INPUTS"
AS_OF_ENV = "PROVIDER_VIEW_AS_OF"
MAP_ENV = "PROVIDER_VIEW_MAP"
SOURCES_ENV = "PROVIDER_VIEW_SOURCES"
TARGET_ENV = "PROVIDER_VIEW_TARGET"
PG_URL_ENV = "PROVIDER_VIEW_PG_URL"

DUCKDB, POSTGRES = "duckdb", "postgres"
TARGETS = (DUCKDB, POSTGRES)

# The sources are declared once, in ingestion/registry.py.
FILE_SOURCE = registry.FILE_SOURCE
API_SOURCES = tuple(registry.API_SOURCES)
SOURCES = registry.SOURCES


RECORD = "provider_view.json"
DEFAULT_WAREHOUSE = DATA_DIR / "warehouse.duckdb"


def _home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or DAGSTER_HOME)


def recorded() -> dict[str, str]:
    """What the CLI last ran on this instance: warehouse, inputs, sources ({} if nothing)."""
    try:
        return json.loads((_home() / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record_last_run(warehouse: Path, sources: tuple[str, ...], inputs: str | None) -> None:
    """Called by the CLI with what it runs: the UI and schedules read it back."""
    last = {"warehouse": str(warehouse), "sources": ",".join(sources)}
    if inputs:
        last["inputs"] = inputs
    partial = _home() / f"{RECORD}.{os.getpid()}"  # renamed in whole: a reader never sees half
    partial.write_text(json.dumps(last, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, _home() / RECORD)


def warehouse_path() -> Path:
    chosen = os.environ.get(WAREHOUSE_ENV) or recorded().get("warehouse") or DEFAULT_WAREHOUSE
    return Path(chosen).resolve()


def inputs_url() -> str:
    return os.environ.get(INPUTS_ENV) or recorded().get("inputs") or str(DATA_DIR / "inputs")


def dagster_home_for(warehouse: Path) -> Path:
    """One Dagster instance per warehouse, so runs and asset health never mix: data/dagster
    for the default warehouse, `<warehouse>.dagster` beside any other. DAGSTER_HOME wins."""
    if os.environ.get("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"])
    if warehouse.resolve() == DEFAULT_WAREHOUSE.resolve():
        return DAGSTER_HOME
    return warehouse.resolve().with_suffix(".dagster")


def map_path() -> str:
    """The column map the file source reads the inputs through ('' = canonical files)."""
    return os.environ.get(MAP_ENV) or ""


def as_of_date() -> str | None:
    return os.environ.get(AS_OF_ENV) or None


def enabled_sources() -> tuple[str, ...]:
    """The sources the refresh job (CLI, schedule, UI) loads, in SOURCES order."""
    return parse_sources(os.environ.get(SOURCES_ENV) or recorded().get("sources") or FILE_SOURCE)


def parse_sources(text: str) -> tuple[str, ...]:
    names = {name.strip().lower() for name in text.split(",") if name.strip()}
    unknown = sorted(names - set(SOURCES))
    if unknown:
        raise ValueError(
            f"{SOURCES_ENV}: unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}"
        )
    return tuple(name for name in SOURCES if name in names)


def target() -> str:
    """The warehouse kind both dlt and dbt write: 'duckdb' (a file) or 'postgres'."""
    name = (os.environ.get(TARGET_ENV) or DUCKDB).strip().lower()
    if name not in TARGETS:
        raise ValueError(f"{TARGET_ENV}: unknown target {name!r}; known: {', '.join(TARGETS)}")
    return name


@dataclass(frozen=True)
class PgConnection:
    """A PostgreSQL database, parsed once from PROVIDER_VIEW_PG_URL. `host` is a host name
    or, for a unix socket, the socket's directory (libpq tells them apart by the '/')."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    sslmode: str = "prefer"  # libpq's default; cloud databases often want "require"

    @property
    def is_socket(self) -> bool:
        return self.host.startswith("/")

    def psycopg2_kwargs(self) -> dict[str, object]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
            "sslmode": self.sslmode,
        }

    def dbt_env(self) -> dict[str, str]:
        """The variables dbt_project/profiles.yml's postgres output reads."""
        return {
            "PROVIDER_VIEW_PG_HOST": self.host,
            "PROVIDER_VIEW_PG_PORT": str(self.port),
            "PROVIDER_VIEW_PG_USER": self.user,
            "PROVIDER_VIEW_PG_PASSWORD": self.password,
            "PROVIDER_VIEW_PG_DATABASE": self.dbname,
            "PROVIDER_VIEW_PG_SSLMODE": self.sslmode,
        }

    def display(self) -> str:
        """Where the warehouse is, without the password."""
        if self.is_socket:
            return f"postgresql://{self.user}@/{self.dbname}?host={self.host}"
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


# what PROVIDER_VIEW_PG_URL's query may set; anything else would be silently dropped
_URL_PARAMETERS = ("host", "port", "user", "password", "dbname", "sslmode")


def parse_pg_url(url: str) -> PgConnection:
    """postgresql://user:password@host:port/dbname; `?host=/dir` (a unix socket's
    directory) replaces the host; the port defaults to 5432, the user to postgres."""
    parts = urlsplit(url.strip())
    if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):  # +psycopg2 is fine
        raise ValueError(f"{PG_URL_ENV} must start with postgresql://, not {url.split(':')[0]!r}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - set(_URL_PARAMETERS))
    if unknown:
        raise ValueError(
            f"{PG_URL_ENV}: unsupported parameter(s) {', '.join(unknown)};"
            f" supported: {', '.join(_URL_PARAMETERS)}"
        )
    try:
        port = int(query.get("port") or parts.port or 5432)
    except ValueError as exc:  # urlsplit checks the port only when asked
        raise ValueError(f"{PG_URL_ENV}: the port is not a number") from exc
    host = query.get("host") or unquote(parts.hostname or "")
    dbname = unquote(parts.path.lstrip("/")) or query.get("dbname", "")
    if not host:
        raise ValueError(f"{PG_URL_ENV}: no host (give host:port, or ?host=/socket/dir)")
    if not dbname:
        raise ValueError(f"{PG_URL_ENV}: no database name after the host (…/dbname)")
    return PgConnection(
        host=host,
        port=port,
        user=unquote(parts.username or "") or query.get("user") or "postgres",
        password=unquote(parts.password or "") or query.get("password", ""),
        dbname=dbname,
        sslmode=query.get("sslmode", "prefer"),
    )


def pg_connection() -> PgConnection:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        raise ValueError(f"{TARGET_ENV}=postgres needs {PG_URL_ENV}=postgresql://user@host/db")
    return parse_pg_url(url)


def export_target_env() -> None:
    """Check the target and hand the postgres connection to dbt, whose profiles.yml
    reads PROVIDER_VIEW_PG_*; raises ValueError on a bad setting."""
    if target() == POSTGRES:
        os.environ.update(pg_connection().dbt_env())


def warehouse_location(warehouse: Path | None = None) -> str:
    """Where the warehouse is, for messages: the DuckDB file (`warehouse`, else the
    environment's), or the database's URL without its password."""
    if target() != DUCKDB:
        return pg_connection().display()
    return str(warehouse or warehouse_path())


def ensure_dagster_home(warehouse: Path | None = None) -> Path:
    """The warehouse's instance (dagster_home_for) reads the repo's dagster.yaml. A new home
    is set up under a file lock: two CLIs starting at once would otherwise both create
    the symlink and the instance's SQLite storage, and one of them would fail."""
    home = dagster_home_for(warehouse or warehouse_path())
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)
    with open(home / ".setup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        link = home / "dagster.yaml"
        if not link.exists():
            link.symlink_to(REPO_ROOT / "dagster.yaml")
        if not (home / "history").exists():
            from dagster import DagsterInstance

            DagsterInstance.get().dispose()  # creates and migrates the storage once
    return home


def dbt_executable() -> str:
    """The dbt the pipeline runs, from this interpreter's environment so an unactivated
    venv still works: `provider-view-dbt` (dbt without Python's cyclic garbage collector,
    defs/dbt_command.py), or dbt itself where that is not installed."""
    for name in ("provider-view-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"
