"""The sharing rules seen on the pages: benchmarks withheld below min_benchmark_providers,
and the team view naming a provider only when they opted in (team_view_named_providers).
The sharing marts are rebuilt with dbt on a copy of the warehouse with other vars."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.reports.pages import NO_BENCHMARK
from orchestration.reports.periods import parse_period
from orchestration.reports.render import render_reports

from .conftest import read_page


def _rebuilt(clinic, tmp_path: Path, dbt_vars: dict) -> Path:
    """A copy of the warehouse whose sharing marts were rebuilt with `dbt_vars`, rendered."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(clinic.warehouse, warehouse)
    result = subprocess.run(
        [
            settings.dbt_executable(),
            "run",
            "--select",
            "int_metric_benchmarks+",
            "int_provider_context_compared+",
            "--vars",
            json.dumps(dbt_vars),
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=settings.DBT_PROJECT_DIR,
        env={**clinic.env, settings.WAREHOUSE_ENV: str(warehouse)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    render_reports(warehouse, tmp_path / "reports", parse_period("trailing_90d"))
    return tmp_path / "reports" / "clin_demo"


def _team_table(html: str) -> str:
    start = html.index("Team practices")
    return html[start : html.index("</table>", start)]


def test_by_default_the_team_view_names_nobody(clinic):
    html = (clinic.reports / "clin_demo" / "index.html").read_text(encoding="utf-8")
    team = _team_table(html)
    names = [n for (n,) in clinic.query("select provider_name from marts.dim_providers")]
    assert not [n for n in names if n in team]
    assert team.count("not named (opt-in)") >= 1
    assert clinic.query(
        "select count(*) from marts.team_practices where strongest_provider_name is not null"
    ) == [(0,)]


@pytest.mark.slow
def test_benchmarks_are_withheld_below_the_provider_threshold(clinic, tmp_path):
    everyone = [p for (p,) in clinic.query("select provider_id from marts.dim_providers")]
    reports = _rebuilt(
        clinic, tmp_path, {"min_benchmark_providers": 50, "team_view_named_providers": everyone}
    )
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        statuses = con.sql("select distinct benchmark_status from marts.provider_scorecards")
        assert statuses.fetchall() == [("too_few_providers",)]
    for page_path in (reports / "providers").glob("*.html"):
        page = read_page(page_path)
        assert not [k for k in page.values if k.endswith(("clinic_median", "clinic_top_quartile"))]
        assert page.text.count(NO_BENCHMARK) == 6
    owner = (reports / "index.html").read_text(encoding="utf-8")
    team = _team_table(owner)
    # everyone opted in, but the strongest value is withheld with the benchmarks: no name
    names = [n for (n,) in clinic.query("select provider_name from marts.dim_providers")]
    assert not [n for n in names if n in team]
    assert team.count("providers with a published value: not shown") == 6


@pytest.mark.slow
def test_an_opted_in_provider_is_named_where_they_are_strongest(clinic, tmp_path):
    strongest = clinic.query(
        """
        select s.provider_id, p.provider_name, s.metric
        from marts.provider_scorecards as s
        inner join marts.team_practices as t
            on t.clinic_id = s.clinic_id and t.period_type = s.period_type
            and t.period_start = s.period_start and t.metric = s.metric
        inner join marts.dim_providers as p on p.provider_id = s.provider_id
        where s.period_type = 'trailing_90d' and t.benchmark_status = 'ok'
            and s.value = t.strongest_value
        order by s.metric, s.provider_id
        limit 1
        """
    )
    provider_id, name, metric = strongest[0]
    reports = _rebuilt(clinic, tmp_path, {"team_view_named_providers": [provider_id]})
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        named = con.sql(
            "select metric, strongest_provider_name from marts.team_practices"
            " where period_type = 'trailing_90d' and strongest_provider_name is not null"
        ).fetchall()
    assert (metric, name) in named
    assert {n for _, n in named} == {name}
    team = _team_table((reports / "index.html").read_text(encoding="utf-8"))
    assert name in team
    others = [n for (n,) in clinic.query("select provider_name from marts.dim_providers")]
    assert not [n for n in others if n != name and n in team]
