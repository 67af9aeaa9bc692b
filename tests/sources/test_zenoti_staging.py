"""Zenoti's raw tables through dbt staging: what the source leaves to staging."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from source_payloads import CENTER, ZenotiFake, zenoti_appointment, zenoti_sale

from ingestion.zenoti import zenoti_source
from orchestration import settings

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


@pytest.fixture(autouse=True)
def key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__ZENOTI__API_KEY", "zenoti-api-key")


def dbt_run(warehouse: Path, tmp_path: Path, select: str) -> None:
    dbt = settings.dbt_executable()
    result = subprocess.run(
        [
            str(dbt),
            "build",  # the seeds (value sets) the models read, then the models; no tests
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--select",
            select,
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env={
            **os.environ,
            "PROVIDER_VIEW_WAREHOUSE": str(warehouse),
            "PROVIDER_VIEW_TARGET": "duckdb",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_guest_without_created_date_is_dated_by_its_first_appointment_or_sale(
    httpserver, make_pipeline, warehouse, query, tmp_path
):
    zenoti = ZenotiFake(httpserver)  # its guests, like the documented list, have no created_date
    zenoti.appointments = {
        "a1": zenoti_appointment("a1", "2026-03-05", 1, guest_id="g1"),
        "a2": zenoti_appointment("a2", "2026-03-09", 1, guest_id="g1"),
        "a3": zenoti_appointment("a3", "2026-03-06", 0, guest_id="g2"),
    }
    zenoti.sales = [
        zenoti_sale("1001", "s1", "2026-03-03", guest_id="g1"),  # before g1's first visit
        zenoti_sale("1002", "s1", "2026-03-08", guest_id="g2"),
    ]
    source = zenoti_source(
        clinic_id="clinic_a",
        start_date="2026-03-01",
        base_url=httpserver.url_for("/"),
        center_timezones={CENTER: "America/Denver"},
        calls_per_minute=0,
        today="2026-03-10",
    )
    make_pipeline("zenoti").run(source)

    dbt_run(warehouse, tmp_path, "+stg_zenoti__patients")

    assert query(
        "select patient_id, created_at, created_date from staging.stg_zenoti__patients "
        "where patient_id in ('g1', 'g2', 'g3') order by 1"
    ) == [
        ("g1", datetime(2026, 3, 3, 10, 55), datetime(2026, 3, 3).date()),  # the sale
        ("g2", datetime(2026, 3, 6, 10, 0), datetime(2026, 3, 6).date()),  # the appointment
        ("g3", None, None),  # never seen: no date to give
    ]


def test_a_refund_of_a_line_read_in_an_earlier_run_points_at_that_line(
    httpserver, make_pipeline, query, warehouse, tmp_path
):
    zenoti = ZenotiFake(httpserver)
    zenoti.sales = [
        zenoti_sale("1001", "p9", "2026-03-02", item_type="Product", invoice_item_id="ii-2"),
        zenoti_sale("1001", "s1", "2026-03-02", invoice_item_id="ii-1"),
    ]
    pipeline = make_pipeline("zenoti")

    def run(today: str) -> None:
        source = zenoti_source(
            clinic_id="clinic_a",
            start_date="2026-03-01",
            base_url=httpserver.url_for("/"),
            center_timezones={CENTER: "America/Denver"},
            calls_per_minute=0,
            lookback_days=3,
            today=today,
        )
        pipeline.run(source.with_resources("locations", "invoice_lines"))

    run("2026-03-03")
    run("2026-03-10")
    zenoti.sales.append(
        zenoti_sale(
            "R77",
            "s1",
            "2026-03-20",
            qty=-1,
            sales_exc_tax=-280.0,
            discount=-20.0,
            base_invoice_no="1001",
            invoice_item_id="ii-9",
        )
    )
    run("2026-03-21")  # reads 03-08 .. 03-21 only: the original is not in this run
    assert query(
        "select refund_of_line_id from raw_zenoti.invoice_lines where line_id = 'ii-9'"
    ) == [(f"{CENTER}:1001:s1:1",)]  # the loader could not resolve it

    dbt_run(warehouse, tmp_path, "+stg_zenoti__invoice_lines")

    assert query(
        "select line_id, refund_of_line_id from staging.stg_zenoti__invoice_lines order by 1"
    ) == [("ii-1", None), ("ii-2", None), ("ii-9", "ii-1")]
