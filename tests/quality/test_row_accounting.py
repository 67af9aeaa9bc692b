"""Row accounting: rows read = staged + quarantined + superseded, per entity and per
file; a row lost anywhere fails the check."""

from __future__ import annotations

import duckdb
from bad_inputs.corpus import header, row

from ingestion.files import ENTITIES
from orchestration.quality.accounting import accounting_outcome, source_accounting_outcome

from .helpers import load_folder, stage

SERVICES = ENTITIES["services"]


def _write(folder, name, *rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join([header("services"), *rows]) + "\n")


def _outcome(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return accounting_outcome(con, SERVICES)


def _clinic(tmp_path):
    folder, warehouse = tmp_path / "in", tmp_path / "w.duckdb"
    _write(
        folder,
        "services.csv",
        row("services", "_a"),
        row("services", "_b"),
        row("services", "_c", category="aesthetics"),
    )
    _write(folder, "services_2025-04.csv", row("services", "_a", name="Botox (restated)"))
    load_folder(folder, warehouse, tmp_path / "dlt")
    stage(warehouse, "services")
    return folder, warehouse


def test_every_row_read_is_staged_quarantined_or_superseded(tmp_path):
    _, warehouse = _clinic(tmp_path)
    outcome = _outcome(warehouse)
    assert outcome.passed, outcome.description
    m = outcome.metadata
    assert (m["input_rows"], m["staged_rows"], m["quarantined_rows"], m["superseded_rows"]) == (
        4,
        2,
        1,
        1,
    )


def test_a_file_rewritten_in_place_replaces_its_rows(tmp_path):
    folder, warehouse = _clinic(tmp_path)
    _write(folder, "services.csv", row("services", "_a"))  # two rows fewer, no bad row
    load_folder(folder, warehouse, tmp_path / "dlt")
    outcome = _outcome(warehouse)
    assert outcome.passed, outcome.details
    assert (outcome.metadata["input_rows"], outcome.metadata["quarantined_rows"]) == (2, 0)


def test_a_row_lost_in_raw_fails(tmp_path):
    _, warehouse = _clinic(tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "delete from raw_files.services where _file_name = 'services.csv' and _row_number = 2"
        )
    outcome = _outcome(warehouse)
    assert not outcome.passed and outcome.severity == "ERROR"
    assert "1 file(s) whose rows read != rows in raw + quarantine" in outcome.description
    assert "| services.csv | 3 | 1 | 1 |" in outcome.details


def test_a_key_staging_drops_or_doubles_fails(tmp_path):
    _, warehouse = _clinic(tmp_path)
    stage(warehouse, "services", where="trim(service_id) <> 'svc_1_b'")
    dropped = _outcome(warehouse)
    stage(warehouse, "services", copies=2)
    doubled = _outcome(warehouse)
    assert not dropped.passed and "2 keys in raw but 1 staged" in dropped.description
    assert not doubled.passed and "2 keys in raw but 4 staged" in doubled.description


def test_an_api_source_accounts_raw_rows_as_staged_plus_quarantined(tmp_path):
    """An API source has no files: dlt merges raw on the key, so raw = staged + quarantined."""
    warehouse = tmp_path / "api.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema raw_boulevard; create schema staging")
        con.execute("create table raw_boulevard.services as select range as id from range(5)")
        con.execute("create table staging.stg_boulevard__services as select * from range(3)")
        con.execute(
            "create table staging.stg_boulevard__quarantine as select * from (values"
            " ('services', 's3', 'unknown category: boulevard:Spa'),"
            " ('services', 's4', 'unknown category: boulevard:Spa'),"
            " ('appointments', 'a1', 'unknown status: boulevard:X')) as q(entity, record_key, reason)"
        )
        con.execute("create table staging.stg_boulevard__appointments as select * from range(0)")

    with duckdb.connect(str(warehouse), read_only=True) as con:
        ok = source_accounting_outcome(con, "boulevard", "services")
        assert ok.passed, ok.description
        assert ok.description == ("5 rows in raw_boulevard.services = 3 staged + 2 quarantined")
        not_loaded = source_accounting_outcome(con, "boulevard", "appointments")
        assert not_loaded.passed and "not loaded yet" in not_loaded.description

    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from staging.stg_boulevard__services where range = 0")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        lost = source_accounting_outcome(con, "boulevard", "services")
    assert (lost.passed, lost.severity) == (False, "ERROR")
    assert "5 rows in raw_boulevard.services but 2 staged + 2 quarantined: +1" in lost.description
