"""Render every page of a warehouse into a folder: `<out>/<clinic>/index.html` for the
owner and `<out>/<clinic>/providers/<provider_id>.html` for each provider."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.quality.warehouse import relation_exists, unavailable
from orchestration.reports.data import MartReader
from orchestration.reports.periods import Period

REPORTS_ENV = "PROVIDER_VIEW_REPORTS"


def default_out(warehouse: str | Path) -> Path:
    """Where pages go unless told: PROVIDER_VIEW_REPORTS, else `reports/` beside the
    warehouse file (data/reports for the default data/warehouse.duckdb)."""
    return Path(os.environ.get(REPORTS_ENV) or Path(warehouse).resolve().parent / "reports")


class ReportError(Exception):
    """A problem the user can fix (no warehouse, no marts, an unknown period): one line."""


@dataclass
class RenderedReports:
    out: Path
    owner_pages: dict[str, Path] = field(default_factory=dict)  # clinic_id -> index.html
    provider_pages: dict[str, dict[str, Path]] = field(default_factory=dict)  # clinic -> id -> page

    @property
    def page_count(self) -> int:
        return len(self.owner_pages) + sum(len(p) for p in self.provider_pages.values())


def safe_name(text: str) -> str:
    """A file or folder name from an id: anything outside [A-Za-z0-9._-] becomes '_'."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".")
    return cleaned or "_"


def _write(path: Path, html: str) -> Path:
    """Write through a temporary file, so an open page is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(path)
    return path


def render_reports(warehouse: str | Path, out: str | Path, period: Period) -> RenderedReports:
    """Read the marts of `warehouse` (read-only) and write every page of `period`."""
    # imported here: Altair takes a second to import, and the code location should not wait
    from orchestration.reports import charts, pages

    warehouse, out = Path(warehouse), Path(out)
    missing = unavailable(str(warehouse))
    if missing:
        raise ReportError(f"{missing}: run `provider-view demo` or `run` first")
    try:
        reader = MartReader(warehouse)
    except Exception as exc:  # the DuckDB file or the PostgreSQL server refused
        raise ReportError(f"cannot open the warehouse read-only: {exc}") from None
    result = RenderedReports(out)
    with reader:
        if not relation_exists(reader.con, "marts", "provider_scorecards"):
            raise ReportError(
                f"{warehouse} has no marts.provider_scorecards: build the marts first "
                "(`provider-view run`)"
            )
        clinics = reader.clinics(period)
        if not clinics:
            available = ", ".join(reader.available_periods()) or "none"
            raise ReportError(f"no data for the period {period.label}; available: {available}")
        for clinic_id in clinics:
            clinic_dir = out / safe_name(clinic_id)
            links = {}
            result.provider_pages[clinic_id] = {}
            for provider_id in reader.provider_ids(clinic_id, period):
                report = reader.provider_report(clinic_id, provider_id, period)
                html = pages.provider_page(report, charts.provider_trend_svg(report))
                page = _write(clinic_dir / "providers" / f"{safe_name(provider_id)}.html", html)
                result.provider_pages[clinic_id][provider_id] = page
                links[provider_id] = f"providers/{page.name}"
            clinic = reader.clinic_report(clinic_id, period)
            html = pages.owner_page(clinic, charts.routing_svg(clinic), links)
            result.owner_pages[clinic_id] = _write(clinic_dir / "index.html", html)
    return result
