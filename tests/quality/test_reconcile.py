"""Reconciliations: staged totals and the marts agree per clinic and period on the demo,
and a change to one mart row shows up as that period disagreeing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import settings
from orchestration.quality.reconcile import RECONCILIATIONS, reconcile

BY_NAME = {r.name: r for r in RECONCILIATIONS}


def _outcome(warehouse, name):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return reconcile(con, BY_NAME[name])


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_staging_and_marts_agree_for_every_period(built, name):
    outcome = _outcome(built.warehouse, name)
    assert outcome.passed, outcome.details
    assert outcome.metadata["periods_compared"] >= 8  # two years of quarters + trailing 90d


BREAKS = {
    "spend_and_leads_reconcile": "update marts.campaign_performance set spend = spend + 10"
    " where period_type = 'calendar_quarter' and spend > 0"
    " and period_start = (select min(period_start) from marts.campaign_performance where spend > 0)",
    "consult_counts_reconcile": "delete from marts.fct_consultations where appointment_id ="
    " (select min(appointment_id) from marts.fct_consultations)",
    "consults_and_tickets_reconcile": "update marts.provider_performance"
    " set ticket_revenue = ticket_revenue - 1 where period_type = 'trailing_90d'"
    " and provider_id = (select min(provider_id) from marts.provider_performance"
    " where period_type = 'trailing_90d' and tickets > 0)",
    "net_revenue_reconciles": "update marts.fct_invoice_lines set net_amount = net_amount + 0.5"
    " where line_id = (select min(line_id) from marts.fct_invoice_lines where net_amount > 0)",
}


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_a_changed_mart_row_fails_its_reconciliation(built, tmp_path, name):
    warehouse = built.copy(tmp_path / "changed.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(BREAKS[name])
    outcome = _outcome(warehouse, name)
    assert not outcome.passed and outcome.severity == "ERROR"
    assert 1 <= outcome.metadata["periods_off"] <= 2  # its quarter (and the trailing 90 days)
    assert "| staged | mart |" in outcome.details


DBT_BREAKS = {
    # one quarter's spend: that period and the all-quarters total disagree with staging
    "campaign_spend_reconciles": BREAKS["spend_and_leads_reconcile"],
    "assert_campaign_spend_total_reconciles": BREAKS["spend_and_leads_reconcile"],
    "provider_converted_revenue_reconciles": "update marts.provider_performance"
    " set converted_revenue = converted_revenue + 1 where period_type = 'trailing_90d'"
    " and provider_id = (select min(provider_id) from marts.provider_performance"
    " where period_type = 'trailing_90d' and converted_revenue > 0)",
}


@pytest.mark.parametrize("test_name", sorted(DBT_BREAKS))
def test_a_changed_mart_row_fails_its_dbt_reconciliation(built, tmp_path, test_name):
    warehouse = built.copy(tmp_path / "changed.duckdb")
    passing = _dbt_test(warehouse, test_name, tmp_path / "before")
    assert passing.returncode == 0, passing.stdout[-3000:]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(DBT_BREAKS[test_name])
    failing = _dbt_test(warehouse, test_name, tmp_path / "after")
    assert failing.returncode == 1, failing.stdout[-3000:]
    assert f"FAIL 1 {test_name}" in failing.stdout


def _dbt_test(warehouse, test_name: str, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [settings.dbt_executable(), "test", "--select", test_name, "--target-path", str(target)],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, settings.WAREHOUSE_ENV: str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
