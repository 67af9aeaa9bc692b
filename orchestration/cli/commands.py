"""The provider-view command: generate the demo clinic or load a folder, then
materialize the whole Dagster asset graph in process (the same job the schedule runs)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from contextlib import ExitStack, nullcontext, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ingestion.files.entities import ENTITIES
from orchestration import settings
from orchestration.cli.demo_files import already_generated, generating
from orchestration.cli.preflight import (
    UsageError,
    check_inputs,
    check_warehouse,
    iso_date,
    positive,
)
from orchestration.cli.ui import add_parser as add_ui_parser


@dataclass(frozen=True)
class RunSettings:
    """What one CLI run reads and writes. The assets get it as the run's resource config
    (visible on the run's page in the UI), not through the environment."""

    warehouse: Path
    inputs: str
    sources: tuple[str, ...]
    as_of: str | None  # None: from the data
    column_map: str = ""  # "": canonical files

    def fingerprint(self) -> str | None:
        """What the run reads, when that can be known without running it (a DuckDB file
        loaded from files only; input_fingerprint.py)."""
        if settings.target() != settings.DUCKDB:
            return None
        from orchestration.input_fingerprint import input_fingerprint

        return input_fingerprint(self.inputs, self.sources, self.as_of, self.column_map or None)

    def run_config(self, fingerprint: str | None, log_level: str) -> dict:
        warehouse = {
            "path": str(self.warehouse),
            "inputs": self.inputs,
            "as_of": self.as_of or "",
            "column_map": self.column_map,
            "input_fingerprint": fingerprint or "",
        }
        return {
            "loggers": {"console": {"config": {"log_level": log_level}}},
            "resources": {"warehouse": {"config": warehouse}},
        }


def _configure(
    warehouse: str | None,
    inputs: str,
    as_of: str | None,
    sources: tuple[str, ...],
    column_map: str = "",
) -> RunSettings:
    """Resolve what the run reads and writes, and set up the warehouse's Dagster instance."""
    path = Path(warehouse).resolve() if warehouse else settings.warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if as_of:
        date.fromisoformat(as_of)  # fail here, not deep inside dbt
    settings.export_target_env()  # checked up front by _check_target
    settings.ensure_dagster_home(path)
    return RunSettings(
        warehouse=path,
        inputs=inputs if "://" in inputs else str(Path(inputs).resolve()),
        sources=sources,
        as_of=as_of or None,
        column_map=column_map,
    )


def _check_target() -> None:
    """A bad PROVIDER_VIEW_TARGET or PROVIDER_VIEW_PG_URL, before anything starts."""
    try:
        settings.export_target_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _prepare_run() -> None:
    """Parse the dbt project when it changed, so the asset graph reads a current manifest,
    and import what the run needs and the manifest does not shape. The parse is a dbt
    process of its own (6 s from scratch, as on a new clone): meanwhile this process
    imports, on the other core."""
    from concurrent.futures import ThreadPoolExecutor

    from orchestration.defs.dbt_parse import manifest_is_current, parse_dbt_project

    stale = not manifest_is_current()
    if stale:
        print("· parsing the dbt project", flush=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsed = pool.submit(parse_dbt_project) if stale else None  # the thread only waits
        import dagster_dbt  # noqa: F401  (dagster and dbt's own classes: most of the 3 s)
        import great_expectations  # noqa: F401  (the suites' library: 3 s more)

        if parsed:
            parsed.result()


def _compile_chart_templates() -> None:
    """The pages' chart templates, compiled while the dbt step leaves this process waiting
    on dbt's (Altair's import included: ~1.5 s the scorecards step no longer takes)."""
    try:
        from orchestration.reports.charts import compile_templates

        compile_templates()
    except Exception:  # the scorecards step compiles them again and reports what failed
        return


def _run_tags(run: RunSettings) -> dict[str, str]:
    """What ran, shown on the UI's Runs page: the warehouse, the inputs, the as-of date."""
    from orchestration.cli.stale_runs import run_tags

    return {
        **run_tags(),
        "provider_view/warehouse": str(run.warehouse),
        "provider_view/sources": ",".join(run.sources),
        **({"provider_view/inputs": run.inputs} if settings.FILE_SOURCE in run.sources else {}),
        "provider_view/as_of": run.as_of or "from the data",
    }


@dataclass
class Outcome:
    ok: bool
    checks: str  # the run's asset checks, formatted
    refused: list[tuple[str, str]] = field(default_factory=list)  # files refused whole


def _unchanged(run: RunSettings, fingerprint: str | None) -> Outcome | None:
    """When the warehouse's last run read exactly what this one would (and nothing ran
    since), nothing is rebuilt: the assets get a materialization saying so (the UI keeps
    them fresh), and that run's checks stand. None when there is something to do."""
    if fingerprint is None:
        return None
    from datetime import UTC, datetime

    from dagster import DagsterEventType, DagsterInstance

    from orchestration.cli.check_report import format_check_results
    from orchestration.defs.resources import FRESHNESS_LAYERS
    from orchestration.input_fingerprint import mark_unchanged, skippable

    with DagsterInstance.get() as instance:
        last = skippable(instance, run.warehouse, fingerprint)
        if last is None:
            return None
        record = instance.get_run_record_by_id(last.run_id)
        ended = record.end_time or record.create_timestamp.timestamp()
        when = datetime.fromtimestamp(ended, UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(
            f"· nothing changed since run {last.run_id} at {when}: nothing rebuilt"
            " (--full rebuilds anyway)",
            flush=True,
        )
        mark_unchanged(instance, last.run_id, fingerprint, FRESHNESS_LAYERS)
        evaluations = [
            e.dagster_event.event_specific_data
            for e in instance.all_logs(last.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
    settings.record_last_run(run.warehouse, run.sources, run.inputs)
    checks = f"(the checks of run {last.run_id}: nothing was checked again)\n"
    return Outcome(True, checks + format_check_results(evaluations))


def materialize(run: RunSettings, verbose: bool = False, full: bool = False) -> Outcome:
    """Run the `refresh` job in process on the instance in DAGSTER_HOME, unless nothing
    changed since the warehouse's last run (and not `full`). Quiet unless `verbose`: one
    line per step (the full log is in the Dagster run)."""
    fingerprint = run.fingerprint()
    skipped = None if full else _unchanged(run, fingerprint)
    if skipped is not None:
        return skipped
    _prepare_run()
    import uuid

    from dagster import DagsterInstance, Definitions

    from orchestration.cli.progress import StepProgress
    from orchestration.cli.stale_runs import reclaim_dead_runs
    from orchestration.definitions import defs
    from orchestration.defs.api_sources import never_loaded
    from orchestration.defs.schedules import refresh_job_for

    # the UI and the schedule of this instance run the same
    settings.record_last_run(run.warehouse, run.sources, run.inputs)
    job = Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=[refresh_job_for(run.sources, never_loaded(str(run.warehouse), run.sources))],
        resources=defs.resources,
    ).resolve_job_def("refresh")
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
        meanwhile = {"dbt_models": _compile_chart_templates}
        with (
            StepProgress(instance, run_id, out=sys.stdout, meanwhile=meanwhile) as progress,
            ExitStack() as stack,
        ):
            for redirect in quiet:
                stack.enter_context(redirect)
            result = job.execute_in_process(
                instance=instance,
                run_config=run.run_config(fingerprint, level),
                raise_on_error=False,
                run_id=run_id,
                tags=_run_tags(run),
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
    print(f"\nwarehouse: {settings.warehouse_location(warehouse)}")
    print("open the Dagster UI with `make dev` to see runs, assets and checks")
    status = "done" if ok else "FAILED (see the lines marked ✗ above, and the run in the UI)"
    print(f"{status} in {time.perf_counter() - started:.1f}s")
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    _check_target()
    out = Path(args.out).resolve()
    check_warehouse(Path(args.warehouse or settings.warehouse_path()).resolve())
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out is a file, not a folder: {out}")
    fresh = args.full or not already_generated(out, args.scale, args.seed)
    if fresh:
        if out.exists():
            shutil.rmtree(out)
        print(
            f"· generating the demo clinic (scale {args.scale}, seed {args.seed}) into {out}",
            flush=True,
        )
    else:
        print(f"· the demo clinic in {out} is as generated (scale {args.scale}, seed {args.seed})")
    with generating(out, args.scale, args.seed) if fresh else nullcontext():
        # while the generator writes the files, on the other core: the Dagster instance (1.5 s
        # when new), dbt's parse and the imports. The demo clinic is canonical: no column map.
        run = _configure(args.warehouse, str(out), args.as_of, (settings.FILE_SOURCE,))
        if fresh:
            _prepare_run()
    outcome = materialize(run, args.verbose, args.full)
    return _report(run.warehouse, outcome, started, pages=True)


def cmd_run(args: argparse.Namespace) -> int:
    """Load any mix of a folder of exports (--inputs) and API sources (--source); with
    neither, the sources the environment enables (PROVIDER_VIEW_SOURCES), as the schedule."""
    started = time.perf_counter()
    _check_target()
    if args.inputs or args.source:
        chosen = ([settings.FILE_SOURCE] if args.inputs else []) + (args.source or [])
        sources = settings.parse_sources(",".join(chosen))
    else:
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
    column_map = ""
    if args.map or settings.map_path():
        from orchestration.cli.check import checked_map

        try:  # every mapped column a file lacks, named before anything loads
            column_map = str(Path(args.map or settings.map_path()).resolve())
            checked_map(column_map, inputs)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    run = _configure(args.warehouse, inputs, args.as_of, sources, column_map)
    loading = [
        run.inputs if name == settings.FILE_SOURCE else f"the {name} API" for name in sources
    ]
    location = settings.warehouse_location(run.warehouse)
    print(f"· loading {', '.join(loading)} into {location}", flush=True)
    return _report(run.warehouse, materialize(run, args.verbose, args.full), started)


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
            "--full",
            action="store_true",
            help="rebuild and check everything even when no input changed since the last run",
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
