"""Personal data stops at staging: no relation past it holds anything that looks like
an email address or a phone number, and the scan does find one when it is there."""

from __future__ import annotations

import duckdb

from orchestration.quality.privacy import privacy_outcome, relations_past_staging, scan_relation


def test_no_email_or_phone_past_staging(built):
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        relations = relations_past_staging(con)
        assert "marts.dim_patients" in relations and "marts.provider_performance" in relations
        assert not any(r.startswith(("raw_", "staging.")) for r in relations)
        findings = [f for r in relations for f in scan_relation(con, r)]
    assert findings == []


def test_the_scan_finds_planted_personal_data(built, tmp_path):
    warehouse = built.copy(tmp_path / "leaky.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            create table marts.leaky as
            select patient_id, email as contact, 'call (303) 555-0142 after 5' as note,
                   '123-456-7890' as account_id, sha256(email) as email_hash
            from raw_files.patients where email is not null limit 5
            """
        )
        con.execute("create view intermediate.int_with_phone as select 1 as mobile_phone")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = {(f.column, f.what) for f in scan_relation(con, "marts.leaky")}
        assert found == {("contact", "email value"), ("note", "phone value")}
        assert {(f.column, f.what) for f in scan_relation(con, "intermediate.int_with_phone")} == {
            ("mobile_phone", "personal column name")
        }
        outcome = privacy_outcome(con, "marts.leaky")
    assert not outcome.passed and outcome.severity == "ERROR"
    assert "@" not in outcome.details  # the check's own metadata does not repeat the value
