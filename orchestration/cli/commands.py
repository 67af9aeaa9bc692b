"""The provider-view command: generate the demo clinic or load a folder, then
materialize the whole Dagster asset graph in process (the same job the schedule runs)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from orchestration import settings


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
    try:
        settings.export_target_env()
    except ValueError as exc:
        raise SystemExit(f"provider-view: {exc}") from None
    settings.ensure_dagster_home()
    return path


def _prepare_dbt() -> None:
    """Parse the dbt project so the asset graph reads a current manifest."""
    from orchestration.cli.dbt_parse import parse_dbt_project

    print("· parsing the dbt project", flush=True)
    parse_dbt_project()


def materialize() -> tuple[bool, str]:
    """Run the `refresh` job in process on the instance in DAGSTER_HOME; returns whether
    it succeeded and its asset checks, formatted."""
    _prepare_dbt()
    from dagster import DagsterInstance

    from orchestration.cli.stale_runs import reclaim_dead_runs, run_tags
    from orchestration.definitions import defs

    job = defs.resolve_job_def("refresh")
    with DagsterInstance.get() as instance:
        for run_id in reclaim_dead_runs(instance):
            print(f"· run {run_id} died without finishing: marked failed, its pool slot freed")
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            raise_on_error=False,
            tags=run_tags(),
        )
    from orchestration.cli.check_report import format_check_results

    return result.success, format_check_results(result.get_asset_check_evaluations())


def _report(warehouse: Path, outcome: tuple[bool, str], started: float, pages: bool = False) -> int:
    from orchestration.cli.summary import format_summary, load_summary

    ok, checks = outcome
    print()
    try:
        print(format_summary(load_summary(warehouse)))
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
    status = "done" if ok else "FAILED (see the log above and the Dagster UI)"
    print(f"{status} in {time.perf_counter() - started:.1f}s")
    return 0 if ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from ingestion.demo import generate_clinic

    started = time.perf_counter()
    out = Path(args.out).resolve()
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
    return _report(warehouse, materialize(), started, pages=True)


def cmd_run(args: argparse.Namespace) -> int:
    """Load any mix of a folder of exports (--inputs) and API sources (--source); with
    neither, the sources the environment enables (PROVIDER_VIEW_SOURCES), as the schedule."""
    started = time.perf_counter()
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
                print(f"provider-view run: {exc.description}", file=sys.stderr)
                return 2
    if args.map or settings.map_path():
        from orchestration.cli.check import checked_map

        try:  # every mapped column a file lacks, named before anything loads
            path = str(Path(args.map or settings.map_path()).resolve())
            checked_map(path, args.inputs or settings.inputs_url())
        except ValueError as exc:
            print(f"provider-view run: {exc}", file=sys.stderr)
            return 2
        os.environ[settings.MAP_ENV] = path
    warehouse = _configure(args.warehouse, args.inputs or settings.inputs_url(), args.as_of)
    loading = [
        os.environ[settings.INPUTS_ENV] if name == settings.FILE_SOURCE else f"the {name} API"
        for name in sources
    ]
    print(f"· loading {', '.join(loading)} into {settings.warehouse_location()}", flush=True)
    return _report(warehouse, materialize(), started)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provider-view",
        description="Provider-level ad, booking and EMR warehouse for med spas.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--warehouse", help="DuckDB file (default data/warehouse.duckdb)")
        p.add_argument("--as-of", help="as-of date YYYY-MM-DD (default: latest date in the data)")

    demo = sub.add_parser("demo", help="generate the demo clinic and run everything on it")
    demo.add_argument(
        "--scale", type=float, default=1.0, help="data volume (1 ≈ 100k invoice lines)"
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
