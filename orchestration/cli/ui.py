"""`provider-view ui [--warehouse W]` (what `make dev` runs): the Dagster UI on the
instance of one warehouse, where the CLI's runs of that warehouse are, with the inputs and
sources the CLI last ran there (so "Materialize all" rebuilds what `make demo` built)."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
from pathlib import Path

from orchestration import settings


def cmd_ui(args: argparse.Namespace) -> int:
    if args.warehouse:
        os.environ[settings.WAREHOUSE_ENV] = str(Path(args.warehouse).resolve())
    home = settings.ensure_dagster_home()
    last = settings.recorded()
    print(f"· warehouse {settings.warehouse_path()} (Dagster instance {home})")
    print(f"· inputs {settings.inputs_url()}; sources {', '.join(settings.enabled_sources())}")
    if not last:
        print("· no CLI run recorded here yet: `make demo` or `provider-view run` first")
    # dbt and dagster from this environment, even when it is not activated
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    dagster = str(Path(bin_dir) / "dagster")
    if not Path(dagster).exists():
        dagster = shutil.which("dagster") or "dagster"
    command = [
        dagster,
        "dev",
        "-m",
        "orchestration.definitions",
        "-h",
        args.host,
        "-p",
        str(args.port),
    ]
    sys.stdout.flush()
    # A process started in the background (`make dev &`, a test harness) may inherit SIGINT
    # ignored; `dagster dev` treats SIGTERM as SIGINT, so it would then ignore `kill` too
    # and leave its webserver and daemon running. Ctrl-C and SIGTERM must stop the UI.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execv(dagster, command)  # replaces this process
    return 0


def add_parser(sub) -> None:
    ui = sub.add_parser("ui", help="open the Dagster UI on a warehouse's instance (make dev)")
    ui.add_argument("--warehouse", help="DuckDB file (default: data/warehouse.duckdb)")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)
