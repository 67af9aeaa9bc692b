"""`provider-view report`, and the clinic summary `provider-view demo` ends with: per
clinic, pooled totals and where the owner page and the private provider pages are. No
provider is named side by side with a colleague here: their numbers are on their own page."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from orchestration import settings
from orchestration.reports.periods import TRAILING, Period, parse_period
from orchestration.reports.render import ReportError, default_out


def clinic_summary(warehouse: str | Path, out: str | Path, period: Period) -> str:
    """A few pooled lines per clinic and the paths of its pages (read-only)."""
    from orchestration.reports.data import MartReader
    from orchestration.reports.pages import fmt_money, fmt_share, period_words
    from orchestration.reports.render import safe_name

    out = Path(out)
    blocks = []
    with MartReader(warehouse) as reader:
        for clinic_id in reader.clinics(period):
            clinic = reader.clinic_report(clinic_id, period)
            title, _ = period_words(clinic.window)
            team = {row.metric: row for row in clinic.team}
            conversion = team["conversion_rate"].clinic_value
            totals = {k: v or 0 for k, v in clinic.totals.items()}
            folder = out / safe_name(clinic_id)
            lines = [
                f"Clinic {clinic_id}: {title[0].lower()}{title[1:]}",
                f"  consults held {totals['consults_held']:,}, mature "
                f"{totals['consults_mature']:,}, converted {totals['consults_converted']:,}"
                + (f" ({fmt_share(conversion)})" if conversion is not None else ""),
                f"  converted revenue {fmt_money(totals['converted_revenue'])}, ticket "
                f"revenue {fmt_money(totals['ticket_revenue'])}, ad spend "
                f"{fmt_money(totals['ad_spend'])}",
                f"  owner page:     {folder / 'index.html'}",
                f"  provider pages: {len(clinic.providers)} in {folder / 'providers'}"
                " (private: hand each provider only their own)",
            ]
            blocks.append("\n".join(lines))
    if not blocks:
        blocks.append(f"No clinic has data for the {period.label} yet.")
    return "\n\n".join(blocks)


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.reports.render import render_reports

    started = time.perf_counter()
    try:
        period = parse_period(args.period)
    except ValueError as exc:
        print(f"provider-view report: {exc}", file=sys.stderr)
        return 2
    warehouse = Path(args.warehouse).resolve() if args.warehouse else settings.warehouse_path()
    out = Path(args.out).resolve() if args.out else default_out(warehouse)
    try:
        rendered = render_reports(warehouse, out, period)
        summary = clinic_summary(warehouse, out, period)
    except ReportError as exc:
        print(f"provider-view report: {exc}", file=sys.stderr)
        return 1
    print(summary)
    print(f"\n{rendered.page_count} pages written in {time.perf_counter() - started:.1f}s")
    return 0


def add_report_parser(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report",
        help="render the private provider pages and the owner page from the marts",
        description=(
            "Render <out>/<clinic>/providers/<provider_id>.html (one private page per "
            "provider) and <out>/<clinic>/index.html (the owner page) from the warehouse, "
            "read-only."
        ),
    )
    report.add_argument("--warehouse", help="DuckDB file (default data/warehouse.duckdb)")
    report.add_argument(
        "--period", default=TRAILING, help="trailing_90d (default) or a quarter, e.g. 2026-Q3"
    )
    report.add_argument(
        "--out",
        help="folder for the pages (default: PROVIDER_VIEW_REPORTS, else reports/ beside the "
        "warehouse)",
    )
    report.set_defaults(func=cmd_report)
