"""The Great Expectations suites: each fails on what it guards, with counts and failing
values in the result, and passes on valid data (upcoming bookings included)."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from orchestration.quality.gx_runner import SuiteRunner, run_suite
from orchestration.quality.gx_suites import RAW_SUITES, STAGING_SUITES, read_frame

from .helpers import load_folder

SUITES = {s.name: s for s in RAW_SUITES + STAGING_SUITES}
NEXT_MONTH = date.today() + timedelta(days=30)


def _validate(warehouse, name, max_rows=300_000):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame, note = read_frame(con, SUITES[name], max_rows)
    return run_suite(name, frame, SUITES[name].rules, note)


def _failures(outcome) -> dict[tuple[str, str], dict]:
    return {(f["expectation"], f["column"]): f for f in outcome.metadata["failures"]}


@pytest.fixture
def staged(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging")
        con.execute(
            f"""
            create table staging.stg_files__appointments as
            select * from (values
                ('a1', 'c1', 'p1', 'pr1', 's1', 'completed', timestamp '2025-03-01 10:00',
                 timestamp '2025-03-01 11:00', timestamp '2025-02-20 10:00', timestamp '2025-03-01 12:00'),
                ('a2', 'c1', 'p1', 'pr1', 's1', 'booked', timestamp '{NEXT_MONTH} 10:00',
                 timestamp '{NEXT_MONTH} 11:00', timestamp '2025-02-20 10:00', timestamp '2025-03-01 12:00'),
                ('a3', 'c1', 'p1', 'pr1', 's1', 'completed', timestamp '2025-03-02 10:00',
                 timestamp '2025-03-02 09:00', timestamp '2025-02-20 10:00', timestamp '2025-03-02 12:00'),
                ('a3', 'c1', 'p1', 'pr1', 's1', 'showed', timestamp '{NEXT_MONTH} 10:00',
                 timestamp '{NEXT_MONTH} 11:00', timestamp '2025-02-20 10:00', timestamp '2025-03-02 12:00'),
                ('a5', null, 'p1', 'pr1', 's1', 'no_show', timestamp '{NEXT_MONTH} 10:00',
                 timestamp '{NEXT_MONTH} 11:00', timestamp '2025-02-20 10:00', timestamp '2025-03-02 12:00')
            ) as t(appointment_id, clinic_id, patient_id, provider_id, service_id, status,
                   start_at, end_at, booked_at, updated_at)
            """
        )
        con.execute(
            """
            create table staging.stg_files__invoice_lines as
            select * from (values
                ('l1', 'i1', 'c1', 'service', 'closed', 1, 100.0, 0.0, 0.0, 0.0, null,
                 timestamp '2025-03-01 12:00'),
                ('l2', 'i2', 'c1', 'service', 'closed', -1, 100.0, 0.0, 0.0, 0.0, 'l1',
                 timestamp '2025-03-05 12:00'),
                ('l3', 'i3', 'c1', 'service', 'closed', 1, -40.0, 0.0, 0.0, 0.0, null,
                 timestamp '2025-03-06 12:00'),
                ('l4', 'i4', 'c1', 'service', 'closed', 1, 30.0, 0.0, 0.0, 0.0, 'l1',
                 timestamp '2025-03-07 12:00')
            ) as t(line_id, invoice_id, clinic_id, item_type, invoice_status, quantity,
                   unit_price, discount, tax, tip, refund_of_line_id, issued_at)
            """
        )
    return warehouse


def test_appointments_suite_reports_what_is_wrong_and_lets_upcoming_bookings_be(staged):
    outcome = _validate(staged, "staging__stg_files__appointments")
    assert (outcome.passed, outcome.severity) == (False, "ERROR")
    failures = _failures(outcome)
    assert failures[("expect_column_values_to_be_unique", "appointment_id")]["examples"] == [
        "a3",
        "a3",
    ]
    assert failures[("expect_column_values_to_be_in_set", "status")]["examples"] == ["showed"]
    assert failures[("expect_column_values_to_not_be_null", "clinic_id")]["unexpected_count"] == 1
    assert (
        failures[("expect_column_pair_values_a_to_be_greater_than_b", "end_at, start_at")][
            "unexpected_count"
        ]
        == 1
    )
    # the no-show a5 lies in the future; the booked a2 may
    future = failures[("expect_column_values_to_be_null", "start_at_in_future")]
    assert future["unexpected_count"] == 1
    assert "| ERROR | expect_column_values_to_be_in_set | status | 1 | showed |" in outcome.details


def test_sale_amounts_are_never_negative_and_refunds_take_money_back(staged):
    outcome = _validate(staged, "staging__stg_files__invoice_lines")
    failures = _failures(outcome)
    assert set(failures) == {
        ("expect_column_values_to_be_between", "unit_price_of_sale"),
        ("expect_column_values_to_be_between", "refund_net"),
    }
    assert (
        failures[("expect_column_values_to_be_between", "unit_price_of_sale")]["severity"]
        == "ERROR"
    )
    assert failures[("expect_column_values_to_be_between", "refund_net")]["severity"] == "WARN"
    assert outcome.severity == "ERROR"


def test_a_warn_rule_alone_fails_with_warn(staged):
    with duckdb.connect(str(staged)) as con:
        con.execute("delete from staging.stg_files__invoice_lines where line_id = 'l3'")
    outcome = _validate(staged, "staging__stg_files__invoice_lines")
    assert (outcome.passed, outcome.severity) == (False, "WARN")


def test_raw_suite_passes_on_loaded_rows_and_catches_a_duplicate_row_version(tmp_path):
    from bad_inputs.corpus import header, row

    folder = tmp_path / "in"
    folder.mkdir()
    lines = [header("appointments")] + [row("appointments", f"_{i}") for i in range(50)]
    (folder / "appointments.csv").write_text("\n".join(lines) + "\n")
    warehouse = tmp_path / "w.duckdb"
    load_folder(folder, warehouse, tmp_path / "dlt")
    ok = _validate(warehouse, "raw__files__appointments")
    sampled = _validate(warehouse, "raw__files__appointments", max_rows=20)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw_files.appointments select * from raw_files.appointments limit 1"
        )
    doubled = _validate(warehouse, "raw__files__appointments")

    assert ok.passed, ok.details
    assert "(a sample of 20 of 50 rows)" in sampled.description
    assert not doubled.passed and doubled.severity == "ERROR"
    assert ("expect_compound_columns_to_be_unique", "appointment_id, _file_name, _row_number") in (
        _failures(doubled)
    )


def test_suites_sharing_one_context_give_the_results_they_give_alone(staged):
    """A step validates all its suites on one GX context: nothing carries over."""
    names = ["staging__stg_files__appointments", "staging__stg_files__invoice_lines"]
    with duckdb.connect(str(staged), read_only=True) as con:
        frames = {name: read_frame(con, SUITES[name], 300_000) for name in names}
    runner = SuiteRunner()
    shared = [runner.run(n, frames[n][0], SUITES[n].rules, frames[n][1]) for n in names]
    alone = [run_suite(n, frames[n][0], SUITES[n].rules, frames[n][1]) for n in names]
    assert [(o.passed, o.severity, o.description, o.metadata) for o in shared] == [
        (o.passed, o.severity, o.description, o.metadata) for o in alone
    ]
    assert set(_failures(shared[1])) == {
        ("expect_column_values_to_be_between", "unit_price_of_sale"),
        ("expect_column_values_to_be_between", "refund_net"),
    }


def test_a_suite_validates_its_frame_without_hashing_every_value(staged, monkeypatch):
    """GX's batch fingerprint (a hash of every value) is skipped: the run never calls it,
    and the suite still reports its failures."""
    from great_expectations.execution_engine import pandas_execution_engine

    hashed = []
    monkeypatch.setattr(pandas_execution_engine, "hash_pandas_dataframe", hashed.append)
    outcome = _validate(staged, "staging__stg_files__appointments")
    assert hashed == []
    assert not outcome.passed and outcome.metadata["failures"]


def test_no_suite_reads_email_or_phone():
    for suite in RAW_SUITES + STAGING_SUITES:
        read = [part.strip().split(" as ")[-1] for part in suite.select.split(",")]
        assert "email" not in read and "phone" not in read, suite.name


def test_a_staged_view_above_max_rows_is_sampled_like_a_table(staged):
    """stg_files__* only filter their base model, so they are views, which have no row
    ids: the sample of a view is drawn over its rows, as large and as repeatable."""
    with duckdb.connect(str(staged)) as con:
        con.execute("alter table staging.stg_files__invoice_lines rename to lines")
        con.execute(
            "create view staging.stg_files__invoice_lines as"
            " select * from staging.lines where line_id <> 'l4'"
        )
    suite = SUITES["staging__stg_files__invoice_lines"]
    with duckdb.connect(str(staged), read_only=True) as con:
        whole, whole_note = read_frame(con, suite, 3)
        samples = [read_frame(con, suite, 2) for _ in range(2)]
    assert (len(whole), whole_note) == (3, "")
    assert [(len(frame), note) for frame, note in samples] == [
        (2, " (a sample of 2 of 3 rows)")
    ] * 2
    assert samples[0][0].equals(samples[1][0])
    assert set(samples[0][0]["line_id"]) < {"l1", "l2", "l3"}
