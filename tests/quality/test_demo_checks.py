"""A demo run with planted bad rows: the quarantine checks warn on the entities with
planted rows, and every other check (ours and dbt's) passes, with its metadata."""

from __future__ import annotations

import json

from dagster import AssetKey, DagsterEventType, DagsterInstance

QUALITY_CHECKS = {"gx_suite", "quarantine_share", "row_accounting", "freshness"}
# dbt tests, surfaced as asset checks on the marts they guard
RECONCILIATIONS = {
    "campaign_spend_reconciles",
    "campaign_leads_reconcile",
    "consult_slots_reconcile",
    "provider_tickets_reconcile",
    "net_revenue_reconciles",
}


def _evaluations(built) -> list:
    with DagsterInstance.from_config(str(built.dagster_home)) as instance:
        runs = instance.get_runs(limit=1)
        assert runs, "the CLI run is not in the instance"
        events = instance.all_logs(runs[0].run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        return [e.dagster_event.event_specific_data for e in events]


def test_quarantine_warns_and_every_other_check_passes(built):
    truth = json.loads((built.inputs / "truth.json").read_text())
    planted = {bad["entity"] for bad in truth["bad_rows"]}
    evaluations = _evaluations(built)
    names = {e.check_name for e in evaluations}
    assert QUALITY_CHECKS | RECONCILIATIONS | {"no_personal_data"} <= names

    quarantine = {
        e.asset_key.path[-1]: e for e in evaluations if e.check_name == "quarantine_share"
    }
    for entity, evaluation in quarantine.items():
        if entity in planted:
            assert not evaluation.passed and evaluation.severity.value == "WARN", entity
        else:
            assert evaluation.passed, entity
    others = [e for e in evaluations if e.check_name != "quarantine_share"]
    failed = [
        (e.asset_key.to_user_string(), e.check_name, e.description) for e in others if not e.passed
    ]
    assert failed == []


def test_checks_carry_counts_and_examples_in_their_metadata(built):
    evaluations = {(e.asset_key, e.check_name): e for e in _evaluations(built)}
    invoice_quarantine = evaluations[
        (AssetKey(["raw", "files", "invoice_lines"]), "quarantine_share")
    ]
    meta = invoice_quarantine.metadata
    assert meta["rows_quarantined"].value == 4
    assert "unknown item_type" in meta["reasons"].value
    assert "invoice_lines.csv" in meta["details"].value  # the examples: file, row, reason

    gx = evaluations[(AssetKey(["staging", "stg_files__appointments"]), "gx_suite")]
    assert gx.metadata["expectations"].value >= 10
    assert gx.metadata["rows_validated"].value > 1000

    accounting = evaluations[(AssetKey(["staging", "stg_files__appointments"]), "row_accounting")]
    m = {k: v.value for k, v in accounting.metadata.items() if k != "details"}
    assert m["input_rows"] == m["staged_rows"] + m["quarantined_rows"] + m["superseded_rows"]
    assert m["superseded_rows"] > 0  # the second drop's versions

    spend = evaluations[(AssetKey(["marts", "campaign_performance"]), "campaign_spend_reconciles")]
    assert spend.passed
