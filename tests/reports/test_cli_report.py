"""`provider-view report`: pages for a period, and one clear line for each user mistake."""

from __future__ import annotations

from orchestration.cli.report import clinic_summary
from orchestration.reports.periods import parse_period

from .conftest import read_page


def test_report_renders_a_quarter_into_the_folder_given(clinic, tmp_path):
    (quarter,) = clinic.query(
        "select max(period_start) from marts.provider_scorecards"
        " where period_type = 'calendar_quarter' and is_complete"
    )[0]
    label = f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
    result = clinic.cli(
        "report", "--warehouse", str(clinic.warehouse), "--period", label, "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    owner = tmp_path / "clin_demo" / "index.html"
    assert f"owner page:     {owner}" in result.stdout
    page = read_page(owner)
    (converted,) = clinic.query(
        "select sum(consults_converted) from marts.provider_performance"
        " where period_type = 'calendar_quarter' and period_start = ?",
        [quarter],
    )[0]
    assert page.values["total.consults_converted"] == [float(converted)]
    providers = clinic.query(
        "select count(*) from marts.provider_performance"
        " where period_type = 'calendar_quarter' and period_start = ?",
        [quarter],
    )[0][0]
    assert len(list((tmp_path / "clin_demo" / "providers").glob("*.html"))) == providers
    # a quarter shows the provider's own previous quarter
    some_page = next((tmp_path / "clin_demo" / "providers").glob("*.html"))
    assert "Your previous quarter" in some_page.read_text(encoding="utf-8")


def test_user_mistakes_get_one_line_and_a_nonzero_exit(clinic, tmp_path):
    cases = [
        (["--period", "2026-Q5"], "period '2026-Q5': use trailing_90d or a quarter like 2026-Q3"),
        (["--period", "1999-Q1"], "no data for the period 1999 Q1; available: trailing_90d, "),
        (["--warehouse", str(tmp_path / "none.duckdb")], "no warehouse at"),
    ]
    for args, message in cases:
        argv = ["report", "--out", str(tmp_path / "out"), *args]
        if "--warehouse" not in args:
            argv += ["--warehouse", str(clinic.warehouse)]
        result = clinic.cli(*argv)
        assert result.returncode != 0, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], result.stderr
        assert "Traceback" not in result.stderr


def test_a_warehouse_without_marts_is_one_line(clinic, tmp_path):
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    result = clinic.cli("report", "--warehouse", str(empty), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"provider-view report: {empty} has no marts.provider_scorecards: build the marts "
        "first (`provider-view run`)"
    )


def test_the_clinic_summary_names_no_provider(clinic):
    summary = clinic_summary(clinic.warehouse, clinic.reports, parse_period("trailing_90d"))
    names = [n for (n,) in clinic.query("select provider_name from marts.dim_providers")]
    assert not [n for n in names if n in summary]
    assert f"owner page:     {clinic.reports / 'clin_demo' / 'index.html'}" in summary
    (held,) = clinic.query(
        "select sum(consults_held) from marts.provider_performance where period_type = 'trailing_90d'"
    )[0]
    assert f"consults held {held:,}," in summary
