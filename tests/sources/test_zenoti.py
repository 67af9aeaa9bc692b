"""zenoti against a local Zenoti-shaped API (no network)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from source_payloads import (
    CENTER,
    ZenotiFake,
    days,
    json_response,
    requests_to,
    zenoti_appointment,
    zenoti_center,
    zenoti_sale,
    zenoti_service,
)
from source_support import assert_no_secret, missing_canonical_columns, source_error

from ingestion.zenoti import zenoti_source

API_KEY = "zenoti-SECRET-api-key"


@pytest.fixture(autouse=True)
def key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCES__ZENOTI__API_KEY", API_KEY)


@pytest.fixture
def zenoti(httpserver) -> ZenotiFake:
    fake = ZenotiFake(httpserver)
    statuses = {
        "a1": 1,
        "a2": -2,
        "a3": -1,
        "a4": 0,
        "a5": 2,
        "a6": 4,
        "a7": 21,
        "a8": 10,
        "a9": 11,
    }
    for n, (appointment_id, status) in enumerate(statuses.items()):
        day = days("2026-03-02", "2026-03-30")[n * 3]
        fake.appointments[appointment_id] = zenoti_appointment(appointment_id, day, status)
    fake.sales = [
        zenoti_sale("1001", "s1", "2026-03-02"),
        zenoti_sale(
            "1001",
            "p9",
            "2026-03-02",
            item_type="Product",
            qty=2,
            sales_exc_tax=60.0,
            discount=0.0,
            tax=4.8,
        ),
        zenoti_sale(
            "1001",
            "p9",
            "2026-03-02",
            item_type="Product",
            qty=1,
            sales_exc_tax=30.0,
            discount=0.0,
            tax=2.4,
        ),
        zenoti_sale(
            "1002",
            "m1",
            "2026-03-04",
            item_type="Membership",
            sales_exc_tax=199.0,
            discount=0.0,
            status="Open",
        ),
        zenoti_sale(
            "1003",
            "gc50",
            "2026-03-05",
            item_type="Gift Card",
            sales_exc_tax=50.0,
            discount=0.0,
            status="Voided",
        ),
        zenoti_sale(
            "R77",
            "s1",
            "2026-03-09",
            qty=-1,
            sales_exc_tax=-280.0,
            discount=-20.0,
            tax=-22.4,
            base_invoice_no="1001",
        ),
    ]
    return fake


@pytest.fixture
def run(httpserver, make_pipeline, sleeps):
    pipeline = make_pipeline("zenoti")

    def run_once(today: str, resources: tuple[str, ...] | None = None, **options):
        source = zenoti_source(
            clinic_id="clinic_a",
            start_date="2026-03-01",
            base_url=httpserver.url_for("/"),
            center_timezones={CENTER: "America/Denver"},
            horizon_days=10,
            page_size=2,
            today=today,
            sleep=sleeps.append,
            **{"calls_per_minute": 0, **options},  # pacing has a test of its own
        )
        return pipeline.run(source.with_resources(*resources) if resources else source)

    return run_once


def windows(httpserver, path: str = "/v1/appointments") -> list[tuple[str, str]]:
    return [
        (r.args["start_date"], r.args["end_date"]) for r in requests_to(httpserver, f"^{path}$")
    ]


def test_every_resource_carries_the_canonical_columns(run, zenoti, query):
    run(today="2026-03-10")

    for table in (
        "locations",
        "providers",
        "services",
        "patients",
        "appointments",
        "invoice_lines",
    ):
        assert missing_canonical_columns(query, "raw_zenoti", table) == set(), table


def test_catalog_entities_land_in_canonical_shapes(run, zenoti, httpserver, query):
    run(today="2026-03-20", resources=("locations", "providers", "services", "patients"))

    assert all(r.headers["Authorization"] == f"apikey {API_KEY}" for r, _ in httpserver.log)
    assert query("select location_id, clinic_id, name, timezone from raw_zenoti.locations") == [
        (CENTER, "clinic_a", "Downtown", "America/Denver")
    ]
    assert query(
        "select provider_id, location_id, name, role, active from raw_zenoti.providers order by 1"
    ) == [
        ("e1", CENTER, "Ana Ruiz", "Nurse Injector", True),
        ("e2", CENTER, "Bo Chen", "Nurse Injector", True),
    ]
    assert query(
        "select service_id, name, category, is_consultation from raw_zenoti.services order by 1"
    ) == [
        ("s1", "Botox", "injectables", False),
        ("s2", "Injectables Consultation", "injectables", True),
        ("s3", "CoolSculpting", "body_contouring", False),
    ]
    # every guest of the center, five at two per page: three pages, then the total is reached
    pages = [
        (r.args["center_id"], r.args["page"], r.args["size"])
        for r in requests_to(httpserver, "^/v1/guests$")
    ]
    assert pages == [(CENTER, "1", "2"), (CENTER, "2", "2"), (CENTER, "3", "2")]
    # the documented guest list has no created_date: the load succeeds, staging dates the
    # patient by its first appointment or sale
    assert query(
        "select count(*), min(patient_id), count(created_at), min(email), min(phone), "
        "min(referral_source), min(location_id) from raw_zenoti.patients"
    ) == [(5, "g1", 0, "pat1@example.com", "3035550100", "Instagram", CENTER)]


def test_appointments_in_7_day_windows_with_mapped_statuses(run, zenoti, httpserver, query):
    run(today="2026-03-20", resources=("appointments",))

    assert windows(httpserver) == [  # start_date .. today + horizon, end exclusive
        ("2026-03-01", "2026-03-08"),
        ("2026-03-08", "2026-03-15"),
        ("2026-03-15", "2026-03-22"),
        ("2026-03-22", "2026-03-29"),
        ("2026-03-29", "2026-03-31"),
    ]
    for start, end in windows(httpserver):
        assert (date.fromisoformat(end) - date.fromisoformat(start)).days <= 7
    assert {
        r.args["include_no_show_cancel"] for r in requests_to(httpserver, "^/v1/appointments$")
    } == {"true"}
    assert query("select appointment_id, status from raw_zenoti.appointments order by 1") == [
        ("a1", "completed"),
        ("a2", "no_show"),
        ("a3", "cancelled"),
        ("a4", "booked"),
        ("a5", "booked"),
        ("a6", "booked"),
        ("a7", "cancelled"),
        ("a9", "zenoti:11"),  # unknown: kept raw for staging to quarantine; a8 (break) skipped
    ]
    assert query(
        "select location_id, patient_id, provider_id, service_id, booked_at, start_at, end_at "
        "from raw_zenoti.appointments where appointment_id = 'a1'"
    ) == [
        (
            CENTER,
            "g1",
            "e1",
            "s1",
            "2026-03-02T08:00:00",
            "2026-03-02T10:00:00",
            "2026-03-02T10:30:00",
        )
    ]


def test_next_run_rereads_the_lookback_and_updates_in_place(run, zenoti, httpserver, query):
    run(today="2026-03-20", resources=("appointments",))
    zenoti.appointments["a4"]["status"] = 1  # the 03-11 booking was completed after all
    httpserver.clear_log()

    run(today="2026-03-22", resources=("appointments",))

    assert windows(httpserver)[0] == ("2026-03-07", "2026-03-14")  # 14 days back from 03-20
    assert query(
        "select count(*), count(distinct appointment_id) from raw_zenoti.appointments"
    ) == [(8, 8)]
    assert query("select status from raw_zenoti.appointments where appointment_id = 'a4'") == [
        ("completed",)
    ]


def test_invoice_lines_carry_types_discounts_refund_links_and_void(run, zenoti, httpserver, query):
    run(today="2026-03-10", resources=("invoice_lines",))

    reports = requests_to(httpserver, "^/v1/reports/sales/accrual_basis/flat_file$")
    assert [(r.get_json()["start_date"], r.args["page"], r.args["size"]) for r in reports] == [
        ("2026-03-01 00:00:00", "1", "2"),
        ("2026-03-01 00:00:00", "2", "2"),
        ("2026-03-01 00:00:00", "3", "2"),
        ("2026-03-08 00:00:00", "1", "2"),
    ]  # 5 items in the first week at 2 per page, then the 03-08 .. 03-10 window
    assert reports[0].get_json() == {
        "center_ids": [CENTER],
        "start_date": "2026-03-01 00:00:00",
        "end_date": "2026-03-07 23:59:59",
    }
    lines = query(
        "select line_id, item_type, quantity, unit_price, discount, tax, tip, invoice_status, "
        "refund_of_line_id from raw_zenoti.invoice_lines order by issued_at, line_id"
    )
    service_line = f"{CENTER}:1001:s1:1"
    assert [line[:2] for line in lines] == [
        (f"{CENTER}:1001:p9:1", "product"),
        (f"{CENTER}:1001:p9:2", "product"),  # the same product twice on one invoice
        (service_line, "service"),
        (f"{CENTER}:1002:m1:1", "membership"),
        (f"{CENTER}:1003:gc50:1", "gift_card"),
        (f"{CENTER}:R77:s1:1", "service"),
    ]
    by_id = {line[0]: line for line in lines}
    # net = quantity * unit_price - discount = 280, the report's sales excluding tax
    assert by_id[service_line][2:] == (
        Decimal(1),
        Decimal(300),
        Decimal(20),
        Decimal("22.4"),
        Decimal(0),
        "closed",
        None,
    )
    assert by_id[f"{CENTER}:R77:s1:1"][2:] == (
        Decimal(-1),
        Decimal(300),
        Decimal(-20),
        Decimal("-22.4"),
        Decimal(0),
        "closed",
        service_line,
    )
    assert by_id[f"{CENTER}:1002:m1:1"][7] == "open"
    assert by_id[f"{CENTER}:1003:gc50:1"][7] == "void"


@pytest.mark.parametrize(
    ("status", "headers", "delay"), [(429, {"Retry-After": "2"}, 2.0), (503, {}, 1.0)]
)
def test_throttling_and_server_errors_are_retried(
    run, zenoti, httpserver, sleeps, query, debug_logs, status, headers, delay
):
    httpserver.expect_oneshot_request("/v1/appointments").respond_with_response(
        json_response({"error": {"message": "slow down"}}, status, headers)
    )
    run(today="2026-03-20", resources=("appointments",))

    assert sleeps == [delay]
    assert query("select count(*) from raw_zenoti.appointments") == [(8,)]
    assert_no_secret(debug_logs.text, [API_KEY])


def test_a_rejected_api_key_fails_fast_with_what_to_do(run, httpserver, sleeps, debug_logs):
    httpserver.expect_request("/v1/centers").respond_with_json(
        {"error": {"code": 401, "message": "Invalid API key"}}, status=401
    )

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-03-20", resources=("locations",))

    assert str(source_error(failure.value)) == (
        "zenoti: the API refused the credentials (HTTP 401: Invalid API key); generate a new "
        "API key for the backend app and set sources.zenoti.api_key"
    )
    assert sleeps == [] and len(httpserver.log) == 1
    assert_no_secret(str(failure.value) + debug_logs.text, [API_KEY])


def test_malformed_record_fails_the_resource_and_keeps_loaded_rows(run, zenoti, query):
    run(today="2026-03-20", resources=("appointments",))
    before = query("select * exclude (updated_at) from raw_zenoti.appointments order by all")
    del zenoti.appointments["a4"]["guest"]  # 03-11: inside the next run's window

    with pytest.raises(PipelineStepFailed) as failure:
        run(today="2026-03-22", resources=("appointments",))

    assert str(source_error(failure.value)).startswith(
        "zenoti: zenoti/appointments record is missing required field `guest.id`"
    )
    assert (
        query("select * exclude (updated_at) from raw_zenoti.appointments order by all") == before
    )


def test_a_run_that_failed_halfway_reruns_cleanly(run, zenoti, httpserver, sleeps, query):
    run(today="2026-03-20", resources=("appointments",))
    zenoti.appointments["a4"]["status"] = -2
    for _ in range(2):  # the second window keeps failing until retries run out
        httpserver.expect_oneshot_request(
            "/v1/appointments",
            query_string={
                "center_id": CENTER,
                "start_date": "2026-03-14",
                "end_date": "2026-03-21",
                "include_no_show_cancel": "true",
            },
        ).respond_with_json({}, status=502)
    httpserver.clear_log()

    with pytest.raises(PipelineStepFailed):
        run(today="2026-03-27", resources=("appointments",), max_attempts=2)

    assert windows(httpserver)[:3] == [
        ("2026-03-07", "2026-03-14"),
        ("2026-03-14", "2026-03-21"),
        ("2026-03-14", "2026-03-21"),
    ]
    assert query("select status from raw_zenoti.appointments where appointment_id = 'a4'") == [
        ("booked",)  # nothing from the half-read run was loaded
    ]

    httpserver.clear_log()
    run(today="2026-03-27", resources=("appointments",))

    assert windows(httpserver)[0] == ("2026-03-07", "2026-03-14")  # state did not advance
    assert query(
        "select count(*), count(distinct appointment_id) from raw_zenoti.appointments"
    ) == [(8, 8)]
    assert query("select status from raw_zenoti.appointments where appointment_id = 'a4'") == [
        ("no_show",)
    ]


def test_the_api_key_is_stored_nowhere(run, zenoti, tmp_path):
    run(today="2026-03-10")

    stored = [p for p in tmp_path.rglob("*") if p.is_file() and API_KEY.encode() in p.read_bytes()]
    assert stored == []  # not in the DuckDB file, dlt's state, schemas, traces or logs


def test_a_report_answering_ten_rows_a_page_is_read_to_its_total(
    httpserver, make_pipeline, query, sleeps
):
    # Zenoti reads `page`/`size` from the query string only and answers its default of 10
    # rows here: 23 items of one week take three pages, the last one short.
    zenoti = ZenotiFake(httpserver, report_cap=10)
    zenoti.sales = [zenoti_sale(f"{2000 + n}", "s1", "2026-03-02") for n in range(23)]
    source = zenoti_source(
        clinic_id="clinic_a",
        start_date="2026-03-01",
        base_url=httpserver.url_for("/"),
        page_size=100,
        calls_per_minute=0,
        today="2026-03-07",
        sleep=sleeps.append,
    )

    make_pipeline("zenoti").run(source.with_resources("invoice_lines"))

    reports = requests_to(httpserver, "^/v1/reports/sales/accrual_basis/flat_file$")
    assert [(r.args["page"], r.args["size"]) for r in reports] == [
        ("1", "100"),
        ("2", "100"),
        ("3", "100"),
    ]
    assert query("select count(*), sum(net_amount) from raw_zenoti.invoice_lines") == [
        (23, Decimal(23 * 280))
    ]


def test_a_report_without_a_total_ends_on_an_empty_page(httpserver, make_pipeline, query):
    rows = [zenoti_sale(f"{3000 + n}", "s1", "2026-03-02") for n in range(3)]
    for page, chunk in ((1, rows[:2]), (2, rows[2:]), (3, [])):  # page 2 short, not the end
        httpserver.expect_oneshot_request(
            "/v1/reports/sales/accrual_basis/flat_file",
            method="POST",
            query_string={"page": str(page), "size": "2"},
        ).respond_with_json({"sales": chunk})
    httpserver.expect_request("/v1/centers").respond_with_json({"centers": [zenoti_center()]})
    source = zenoti_source(
        clinic_id="clinic_a",
        start_date="2026-03-01",
        base_url=httpserver.url_for("/"),
        page_size=2,
        calls_per_minute=0,
        today="2026-03-03",
    )

    make_pipeline("zenoti").run(source.with_resources("invoice_lines"))

    assert query("select count(*) from raw_zenoti.invoice_lines") == [(3,)]


def test_services_are_listed_expanded_so_zenotis_category_decides(run, zenoti, httpserver, query):
    # Zenoti files thread lifts under Injectables; the name alone says nothing.
    zenoti.services.append(zenoti_service("s4", "Lifting Thread", "Injectables"))

    run(today="2026-03-20", resources=("services",))

    assert {
        r.args.get("expand") for r in requests_to(httpserver, f"^/v1/centers/{CENTER}/services$")
    } == {"additional_info"}
    assert query(
        "select category, zenoti_category from raw_zenoti.services where service_id = 's4'"
    ) == [("injectables", "Injectables")]


def test_zenotis_invoice_item_id_is_the_line_id_and_a_refund_points_at_it(run, zenoti, query):
    zenoti.sales = [
        zenoti_sale("1001", "p9", "2026-03-02", item_type="Product", invoice_item_id="ii-2"),
        zenoti_sale("1001", "s1", "2026-03-02", invoice_item_id="ii-1"),
        zenoti_sale(
            "R77",
            "s1",
            "2026-03-16",  # a later window than the original invoice
            qty=-1,
            sales_exc_tax=-280.0,
            discount=-20.0,
            tax=-22.4,
            base_invoice_no="1001",
            invoice_item_id="ii-9",
        ),
    ]

    run(today="2026-03-20", resources=("invoice_lines",))

    assert query(
        "select line_id, invoice_no, item_id, refund_of_line_id, base_invoice_no "
        "from raw_zenoti.invoice_lines order by line_id"
    ) == [
        ("ii-1", "1001", "s1", None, None),
        ("ii-2", "1001", "p9", None, None),
        ("ii-9", "R77", "s1", "ii-1", "1001"),
    ]


def test_requests_are_paced_at_60_a_minute(run, zenoti, httpserver, sleeps):
    run(today="2026-03-20", resources=("locations", "providers"), calls_per_minute=60)

    assert len(httpserver.log) == 2  # centers, then one page of employees
    assert len(sleeps) == 1 and 0.9 < sleeps[0] <= 1.0


def test_a_429_waits_its_ratelimit_reset(run, zenoti, httpserver, sleeps, query):
    # Zenoti's throttle headers (docs.zenoti.com/docs/api-rate-limits-1): the quota refills
    # in RateLimit-Reset seconds.
    httpserver.expect_oneshot_request("/v1/appointments").respond_with_response(
        json_response(
            {"Message": "API calls quota exceeded! maximum admitted 60 per 60s."},
            429,
            {
                "Organization-RateLimit-Limit": "60;w=60;b=60",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": "37",
            },
        )
    )

    run(today="2026-03-20", resources=("appointments",))

    assert sleeps[:1] == [37.0]
    assert query("select count(*) from raw_zenoti.appointments") == [(8,)]


def test_a_spent_quota_holds_the_next_call_until_the_reset(run, zenoti, httpserver, sleeps):
    httpserver.expect_oneshot_request("/v1/centers").respond_with_json(
        {"centers": [zenoti_center()]},
        headers={"RateLimit-Limit": "60", "RateLimit-Remaining": "0", "RateLimit-Reset": "12"},
    )

    run(today="2026-03-20", resources=("locations", "providers"))

    assert len(sleeps) == 1 and 11 < sleeps[0] <= 12
