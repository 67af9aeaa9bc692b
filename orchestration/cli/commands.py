"""The provider-view command: generate the demo clinic or load a folder, then
materialize the whole Dagster asset graph in process (the same job the schedule runs)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingestion.files.entities import ENTITIES
from orchestration import settings
from orchestration.cli.preflight import (
    UsageError,
    check_inputs,
    check_warehouse,
    iso_date,
    positive,
)
from orchestration.cli.ui import add_parser as add_ui_parser


def _configure(warehouse: str | None, inputs: str, as_of: str | None) -> Path:
    """Point every part (dlt, dbt, Dagster) at the same warehouse and inputs."""
    path = Path(warehouse).resolve() if warehouse else settings.warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ[settings.WAREHOUSE_ENV] = str(path)
    os.environ[settings.INPUTS_ENV] = inputs if "://" in inputs else str(Path(inputs).resolve())
    if as_of:
        date.fromisoformat(as_of)  # fail here, not deep inside dbt
        os.environ[settings.AS_OF_ENV] = as_of
    else:
        os.environ.pop(settings.AS_OF_ENV, None)
    settings.export_target_env()  # checked up front by _check_target
    settings.ensure_dagster_home()
    return path


def _check_target() -> None:
    """A bad PROVIDER_VIEW_TARGET or PROVIDER_VIEW_PG_URL, before anything starts."""
    try:
        settings.export_target_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _prepare_dbt() -> None:
    """Parse the dbt project so the asset graph reads a current manifest."""
    from orchestration.cli.dbt_parse import parse_dbt_project

    print("· parsing the dbt project", flush=True)
    parse_dbt_project()


def _run_tags(warehouse: Path) -> dict[str, str]:
    """What ran, shown on the UI's Runs page: the warehouse, the inputs, the as-of date."""
    from orchestration.cli.stale_runs import run_tags

    sources = settings.enabled_sources()
    return {
        **run_tags(),
        "provider_view/warehouse": str(warehouse),
        "provider_view/sources": ",".join(sources),
        **(
            {"provider_view/inputs": settings.inputs_url()}
            if settings.FILE_SOURCE in sources
            else {}
        ),
        "provider_view/as_of": settings.as_of_date() or "from the data",
    }


@dataclass
class Outcome:
    ok: bool
    checks: str  # the run's asset checks, formatted
    refused: list[tuple[str, str]] = field(default_factory=list)  # files refused whole


def materialize(verbose: bool = False) -> Outcome:
    """Run the `refresh` job in process on the instance in DAGSTER_HOME. Quiet unless
    `verbose`: one line per step (the full log is in the Dagster run)."""
    _prepare_dbt()
    import uuid

    from dagster import DagsterInstance

    from orchestration.cli.progress import StepProgress
    from orchestration.cli.stale_runs import reclaim_dead_runs
    from orchestration.definitions import defs

    settings.record_last_run()  # the UI and the schedule of this instance run the same
    job = defs.resolve_job_def("refresh")
    run_id = str(uuid.uuid4())
    level = "INFO" if verbose else "CRITICAL"
    log_path = Path(os.environ["DAGSTER_HOME"]) / "logs" / f"{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with DagsterInstance.get() as instance, open(log_path, "w") as log:
        for dead in reclaim_dead_runs(instance):
            print(f"· run {dead} died without finishing: marked failed, its pool slot freed")
        print(f"· run {run_id}; its full log: {log_path} and the UI's Runs page", flush=True)
        # quiet: what dbt and dlt print goes to the log file; the steps print one line each
        quiet = (redirect_stdout(log), redirect_stderr(log)) if not verbose else ()
        with StepProgress(instance, run_id, out=sys.stdout) as progress, ExitStack() as stack:
            for redirect in quiet:
                stack.enter_context(redirect)
            result = job.execute_in_process(
                instance=instance,
                run_config={"loggers": {"console": {"config": {"log_level": level}}}},
                raise_on_error=False,
                run_id=run_id,
                tags=_run_tags(settings.warehouse_path()),
            )
    from orchestration.cli.check_report import format_check_results

    checks = format_check_results(result.get_asset_check_evaluations())
    return Outcome(result.success, checks, progress.refused)


def _report(warehouse: Path, outcome: Outcome, started: float, pages: bool = False) -> int:
    from orchestration.cli.summary import format_summary, load_summary
    from orchestration.quality.warehouse import unavailable

    ok, checks = outcome.ok, outcome.checks
    print()
    if not ok and settings.target() == settings.DUCKDB:
        print(f"nothing published: {warehouse} keeps its last good build (if any)")
    try:
        readable = not unavailable(str(warehouse))
        rows = load_summary(warehouse) if readable else [(e, 0, 0) for e in ENTITIES]
        print(format_summary(rows, outcome.refused))
    except Exception as exc:  # the warehouse may be empty after an early failure
        print(f"(no load summary: {exc})")
    print()
    print(checks)
    if pages and ok:  # the marts and the pages exist
        from orchestration.cli.report import clinic_summary
        from orchestration.reports.periods import parse_period
        from orchestration.reports.render import default_out

        print()
        print(clinic_summary(warehouse, default_out(warehouse), parse_period("trailing_90d")))
    print(f"\nwarehouse: {settings.warehouse_location()}")
    print("open the Dagster UI with `make dev` to see runs, assets and checks")
    status = "done" if ok else "FAILED (see the lines marked ✗ above, and the run in the UI)"
    print(f"{status} in {time.perf_counter() - started:.1f}s")
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from ingestion.demo import generate_clinic

    started = time.perf_counter()
    _check_target()
    out = Path(args.out).resolve()
    check_warehouse(Path(args.warehouse or settings.warehouse_path()).resolve())
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out is a file, not a folder: {out}")
    if out.exists():
        shutil.rmtree(out)
    print(
        f"· generating the demo clinic (scale {args.scale}, seed {args.seed}) into {out}",
        flush=True,
    )
    generate_clinic(
        out, scale=args.scale, seed=args.seed, progress=lambda m: print(f"  {m}", flush=True)
    )
    warehouse = _configure(args.warehouse, str(out), args.as_of)
    os.environ[settings.SOURCES_ENV] = settings.FILE_SOURCE  # the demo clinic is files only
    os.environ.pop(settings.MAP_ENV, None)  # in the canonical format: no column map
    return _report(warehouse, materialize(args.verbose), started, pages=True)


def cmd_run(args: argparse.Namespace) -> int:
    """Load any mix of a folder of exports (--inputs) and API sources (--source); with
    neither, the sources the environment enables (PROVIDER_VIEW_SOURCES), as the schedule."""
    started = time.perf_counter()
    _check_target()
    if args.inputs or args.source:
        chosen = ([settings.FILE_SOURCE] if args.inputs else []) + (args.source or [])
        os.environ[settings.SOURCES_ENV] = ",".join(settings.parse_sources(",".join(chosen)))
    sources = settings.enabled_sources()

    from dagster import Failure

    from orchestration.defs.api_sources import configured_source

    for name in sources:
        if name != settings.FILE_SOURCE:
            try:
                configured_source(name)  # reads dlt config only: no request is sent
            except Failure as exc:
                raise UsageError(exc.description) from None
    inputs = args.inputs or settings.inputs_url()
    check_warehouse(Path(args.warehouse or settings.warehouse_path()).resolve())
    if settings.FILE_SOURCE in sources:
        found = check_inputs(inputs)
        missing = sorted(set(ENTITIES) - set(found))
        if missing:
            print(f"· no export for {', '.join(missing)} in {inputs}: their tables keep their rows")
    if args.map or settings.map_path():
        from orchestration.cli.check import checked_map

        try:  # every mapped column a file lacks, named before anything loads
            path = str(Path(args.map or settings.map_path()).resolve())
            checked_map(path, inputs)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        os.environ[settings.MAP_ENV] = path
    warehouse = _configure(args.warehouse, inputs, args.as_of)
    loading = [
        os.environ[settings.INPUTS_ENV] if name == settings.FILE_SOURCE else f"the {name} API"
        for name in sources
    ]
    print(f"· loading {', '.join(loading)} into {settings.warehouse_location()}", flush=True)
    return _report(warehouse, materialize(args.verbose), started)


def cmd_status(args: argparse.Namespace) -> int:
    from orchestration.cli.status import status_report

    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    check_warehouse(warehouse)
    print(status_report(warehouse))
    return 0


class _Parser(argparse.ArgumentParser):
    """A usage mistake is one line (and exit status 2), not the usage block."""

    def error(self, message: str) -> None:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="provider-view",
        description="Provider-level ad, booking and EMR warehouse for med spas.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--warehouse", help="DuckDB file (default data/warehouse.duckdb)")
        p.add_argument(
            "--as-of",
            type=iso_date,
            help="as-of date YYYY-MM-DD (default: latest date in the data)",
        )
        p.add_argument(
            "--verbose",
            "-v",
            action="store_true",
            help="print the full Dagster, dlt and dbt log, and tracebacks",
        )

    demo = sub.add_parser("demo", help="generate the demo clinic and run everything on it")
    demo.add_argument(
        "--scale", type=positive, default=1.0, help="data volume (1 ≈ 100k invoice lines)"
    )
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--out", default=str(settings.DATA_DIR / "demo"), help="where the exports go")
    common(demo)
    demo.set_defaults(func=cmd_demo)

    run = sub.add_parser(
        "run",
        help="load a folder of exports and/or the API sources, and build the marts",
        description=(
            "Load any mix of a folder of canonical exports (--inputs) and API sources "
            "(--source, repeatable; configured in .dlt/config.toml and .dlt/secrets.toml or "
            "SOURCES__<SOURCE>__<KEY> variables, see README 'Pulling from the APIs'), then "
            f"build and check. With neither: the sources in {settings.SOURCES_ENV} (default "
            f"files, from {settings.INPUTS_ENV})."
        ),
    )
    run.add_argument("--inputs", help="folder or fsspec URL of CSV exports (the file source)")
    run.add_argument("--map", help=f"MAP.toml: read a vendor's exports (or {settings.MAP_ENV})")
    run.add_argument(
        "--source",
        action="append",
        choices=settings.API_SOURCES,
        help="an API source to load, e.g. --source google_ads --source zenoti",
    )
    common(run)
    run.set_defaults(func=cmd_run)

    from orchestration.cli.report import add_report_parser

    add_report_parser(sub)

    from orchestration.cli.check import cmd_check
    from orchestration.cli.templates import cmd_templates

    templates = sub.add_parser("templates", help="write a blank CSV per entity and FORMAT.md")
    templates.add_argument("dir", help="folder to write them into")
    templates.set_defaults(func=cmd_templates)
    check = sub.add_parser(
        "check", help="what a run would load, quarantine and refuse, without a warehouse"
    )
    check.add_argument("--inputs", required=True, help="folder or fsspec URL of CSV exports")
    check.add_argument("--map", help="MAP.toml: read a vendor's exports through a column map")
    check.set_defaults(func=cmd_check)

    status = sub.add_parser(
        "status", help="the last run of a warehouse: when, loaded, checks, as-of (read-only)"
    )
    status.add_argument("--warehouse", help="DuckDB file (default data/warehouse.duckdb)")
    status.set_defaults(func=cmd_status)
    add_ui_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    prog = f"{parser.prog} {args.command}"
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if getattr(args, "verbose", False):
            raise
        print(
            f"{prog}: {type(exc).__name__}: {exc} (--verbose shows the traceback)", file=sys.stderr
        )
        return 1
