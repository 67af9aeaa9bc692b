"""Freshness: the lag of each source's latest date behind the as-of date (or today),
per clinic, warns and then errors past its limits."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.quality.freshness import SOURCES, freshness_outcome, staged_source


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema staging")
        con.execute(
            "create table staging.stg_files__locations as"
            " select * from (values ('loc_1', 'c1'), ('loc_2', 'c2')) t(location_id, clinic_id)"
        )
        con.execute(
            """
            create table staging.stg_files__appointments as select * from (values
                ('c1', date '2026-03-31', 'completed'),
                ('c1', date '2026-06-30', 'booked'),
                ('c2', date '2026-03-20', 'completed')
            ) t(clinic_id, start_date, status)
            """
        )
        con.execute(
            """
            create table staging.stg_files__invoice_lines as select * from (values
                ('c1', date '2026-03-30', 'closed'), ('c2', date '2026-03-20', 'closed')
            ) t(clinic_id, issued_date, invoice_status)
            """
        )
        con.execute(
            """
            create table staging.stg_files__ad_spend as select * from (values
                ('c1', date '2026-03-26'), ('c2', date '2026-03-19')
            ) t(clinic_id, spend_date)
            """
        )
    return path


def _outcome(path, source, **kwargs):
    with duckdb.connect(str(path), read_only=True) as con:
        return freshness_outcome(con, SOURCES[source], **kwargs)


def test_lag_behind_each_clinics_as_of_date(warehouse):
    spend = _outcome(warehouse, "ad_spend")
    assert spend.metadata["lag_days"] == {"c1": 5, "c2": 1}
    assert (spend.passed, spend.severity) == (False, "WARN")  # c1: 5 days, warn after 3
    assert "c1: latest 2026-03-26 is 5 days behind 2026-03-31" in spend.description
    # an upcoming booking is not data about what happened
    appointments = _outcome(warehouse, "appointments")
    assert appointments.passed and appointments.metadata["lag_days"] == {"c1": 0, "c2": 0}


def test_limits_are_configurable_and_an_explicit_as_of_is_the_reference(warehouse):
    assert _outcome(warehouse, "ad_spend", warn_after_days=5).passed
    late = _outcome(warehouse, "invoice_lines", as_of="2026-04-30")
    assert late.metadata["lag_days"] == {"c1": 31, "c2": 41}
    assert (late.passed, late.severity) == (False, "ERROR")


def test_against_today_old_data_is_an_error(warehouse):
    outcome = _outcome(warehouse, "appointments", reference="today")
    assert (outcome.passed, outcome.severity) == (False, "ERROR")


def test_an_api_sources_staged_table_is_measured_against_every_sources_clinics(warehouse):
    """A clinic on a booking API: its location and as-of date come from that source's
    staged rows, so its feed's lag is measured even with no file rows for it."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table staging.stg_boulevard__locations as"
            " select * from (values ('b_loc', 'c3')) t(location_id, clinic_id)"
        )
        con.execute(
            """
            create table staging.stg_boulevard__appointments as select * from (values
                ('c3', date '2026-05-01', 'completed'), ('c3', date '2026-05-10', 'no_show')
            ) t(clinic_id, start_date, status)
            """
        )
        con.execute(
            """
            create table staging.stg_boulevard__invoice_lines as select * from (values
                ('c3', date '2026-05-20', 'closed')
            ) t(clinic_id, issued_date, invoice_status)
            """
        )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        outcome = freshness_outcome(con, staged_source("boulevard", "appointments"))
    # c3's as-of is its latest closed sale (05-20): 10 days behind, past the warn limit;
    # c1 and c2 are the file exports' clinics, not Boulevard's
    assert outcome.metadata["lag_days"] == {"c3": 10}
    assert (outcome.passed, outcome.severity) == (False, "WARN")
    # an API source that staged nothing dated says so
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "create table staging.stg_boulevard__patients (clinic_id text, created_date date)"
        )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        empty = freshness_outcome(con, staged_source("boulevard", "patients"))
    assert (empty.passed, empty.severity) == (False, "WARN")
    assert empty.description == "no dated rows in staging.stg_boulevard__patients"
