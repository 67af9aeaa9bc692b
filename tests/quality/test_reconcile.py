"""Reconciliations (dbt tests `sums_match_by_period` / `sums_match_by_day`): the marts
agree with the intermediate models that own each rule on the demo, and a change to one
mart row makes its reconciliation fail."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb

from orchestration import settings

_SPEND = (
    "update marts.campaign_performance set spend = spend + 10"
    " where period_type = 'calendar_quarter' and spend > 0"
    " and period_start = (select min(period_start) from marts.campaign_performance where spend > 0)"
)


def _provider_trailing(change: str, column: str) -> str:
    return (
        f"update marts.provider_performance set {change} where period_type = 'trailing_90d'"
        " and provider_id = (select min(provider_id) from marts.provider_performance"
        f" where period_type = 'trailing_90d' and {column} > 0)"
    )


BREAKS = {
    # one quarter's spend: that period and the all-quarters total disagree with staging
    "campaign_spend_reconciles": _SPEND,
    "assert_campaign_spend_total_reconciles": _SPEND,
    "campaign_leads_reconcile": "update marts.campaign_performance set leads = leads + 1"
    " where period_type = 'trailing_90d' and leads > 0 and campaign_id ="
    " (select min(campaign_id) from marts.campaign_performance"
    " where period_type = 'trailing_90d' and leads > 0)",
    "provider_converted_revenue_reconciles": _provider_trailing(
        "converted_revenue = converted_revenue + 1", "converted_revenue"
    ),
    "provider_consult_slots_reconcile": _provider_trailing(
        "consult_slots = consult_slots + 1", "consult_slots"
    ),
    "provider_consults_held_reconcile": _provider_trailing(
        "consults_held = consults_held - 1", "consults_held"
    ),
    "provider_tickets_reconcile": _provider_trailing("tickets = tickets - 1", "tickets"),
    "provider_ticket_revenue_reconciles": _provider_trailing(
        "ticket_revenue = ticket_revenue - 1", "tickets"
    ),
    # a slot not held is deleted and a held one flipped, so each change breaks one test
    "consult_slots_reconcile": "delete from marts.fct_consultations where appointment_id ="
    " (select min(appointment_id) from marts.fct_consultations where not is_held)",
    "consults_held_reconcile": "update marts.fct_consultations set is_held = false"
    " where appointment_id = (select min(appointment_id) from marts.fct_consultations"
    " where is_held)",
    "net_revenue_reconciles": "update marts.fct_invoice_lines set net_amount = net_amount + 0.5"
    " where line_id = (select min(line_id) from marts.fct_invoice_lines where net_amount > 0)",
}


def test_every_reconciliation_passes_on_the_demo_and_fails_on_a_changed_mart_row(built, tmp_path):
    """One dbt invocation before and one after all the changes (each test reads one mart
    column that only its own change touches), so the whole set costs two dbt runs."""
    warehouse = built.copy(tmp_path / "changed.duckdb")
    target = tmp_path / "target"  # one: the second invocation reuses the first's parse
    passing = _dbt_test(warehouse, target)
    assert passing.returncode == 0, passing.stdout[-3000:]
    for test_name in BREAKS:
        assert f"PASS {test_name}" in passing.stdout, test_name
    with duckdb.connect(str(warehouse)) as con:
        for change in BREAKS.values():
            con.execute(change)
    failing = _dbt_test(warehouse, target)
    assert failing.returncode == 1, failing.stdout[-3000:]
    # each change touches one mart row: its test disagrees on exactly one period or day
    failures = {name: n for n, name in re.findall(r"FAIL (\d+) (\w+)", failing.stdout)}
    assert {name: failures.get(name) for name in BREAKS} == dict.fromkeys(BREAKS, "1")


def _dbt_test(warehouse, target: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [settings.dbt_executable(), "test", "--select", *BREAKS, "--target-path", str(target)],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, settings.WAREHOUSE_ENV: str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
    )
