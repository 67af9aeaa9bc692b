"""Paths and run settings, read from the environment when asked (never at import).

PROVIDER_VIEW_WAREHOUSE  DuckDB file of the warehouse (default data/warehouse.duckdb)
PROVIDER_VIEW_INPUTS     folder or fsspec URL of canonical exports (default data/inputs)
PROVIDER_VIEW_AS_OF      as-of date for the metrics, YYYY-MM-DD (default: from the data)
PROVIDER_VIEW_SOURCES    comma-separated sources the refresh job loads (default "files"):
                         files, google_ads, meta_ads, zenoti, leads

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
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DATA_DIR = REPO_ROOT / "data"
DAGSTER_HOME = DATA_DIR / "dagster"

WAREHOUSE_ENV = "PROVIDER_VIEW_WAREHOUSE"
INPUTS_ENV = "PROVIDER_VIEW_INPUTS"
AS_OF_ENV = "PROVIDER_VIEW_AS_OF"
SOURCES_ENV = "PROVIDER_VIEW_SOURCES"
TARGET_ENV = "PROVIDER_VIEW_TARGET"  # dbt target: duckdb (default) or postgres

FILE_SOURCE = "files"
API_SOURCES = ("google_ads", "meta_ads", "zenoti", "leads")
SOURCES = (FILE_SOURCE, *API_SOURCES)


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


def record_last_run() -> None:
    """Called by the CLI once a run is configured: the UI and schedules read it back."""
    last = {"warehouse": str(warehouse_path()), "sources": ",".join(enabled_sources())}
    if os.environ.get(INPUTS_ENV):
        last["inputs"] = os.environ[INPUTS_ENV]
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


def ensure_dagster_home() -> Path:
    """The warehouse's instance (dagster_home_for) reads the repo's dagster.yaml. A new home
    is set up under a file lock: two CLIs starting at once would otherwise both create
    the symlink and the instance's SQLite storage, and one of them would fail."""
    home = dagster_home_for(warehouse_path())
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
    """dbt from this interpreter's environment, so an unactivated venv still works."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")
