"""boulevard against a local Boulevard-shaped GraphQL Admin API (no network).

The payloads are shaped as Boulevard documents them and as public clients read them:
- auth, endpoint and Relay paging: see tests/e2e/boulevard_api.py's docstring;
- Location `tz`, Client `createdAt/updatedAt/email/mobilePhone/primaryLocation`, Staff
  `active/role/locations`, Service `category`, Appointment `state` (BOOKED, CONFIRMED,
  ARRIVED, ACTIVE, FINAL, CANCELLED) and `cancellation.reason` (CLIENT_CANCEL,
  CLIENT_LATE_CANCEL, STAFF_CANCEL, NO_SHOW, MISTAKE, MERGED, OFFBOARDED, VOIDED): the Admin
  API types as a public typed client declares them;
- Order lines by `__typename`, money as integer cents: the Admin API reference's Order,
  OrderLineGroup and Order*Line types (the refund link `refundedOrderLineId` and `voidedAt`
  are the two names not confirmed against a recorded response: ingestion/boulevard/README.md).
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import duckdb
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from e2e.boulevard_api import API_KEY, API_SECRET, BoulevardFake
from source_support import assert_no_secret, missing_canonical_columns, source_error
from test_zenoti_staging import dbt_run
from werkzeug import Response

from ingestion.boulevard import boulevard_source
from ingestion.boulevard.api import authorization
from ingestion.http import PayloadError, SourceAuthError
from orchestration.quality.accounting import source_accounting_outcome

LOCATION = {"id": "urn:blvd:Location:l1", "name": "Cherry Creek", "tz": "America/Denver"}


def _appointment(id_: str, start: str, state: str, reason: str | None = None, **extra) -> dict:
    cancelled = state == "CANCELLED"
    return {
        "id": id_,
        "clientId": "urn:blvd:Client:c1",
        "locationId": LOCATION["id"],
        "createdAt": "2026-02-20T16:00:00Z",
        "startAt": start,
        "endAt": start.replace("T17:", "T18:"),
        "state": state,
        "cancelled": cancelled,
        "cancellation": {"cancelledAt": "2026-02-28T15:00:00Z", "reason": reason}
        if cancelled
        else None,
        "appointmentServices": [
            {
                "startAt": start,
                "service": {"id": "urn:blvd:Service:s1"},
                "staff": {"id": "urn:blvd:Staff:st1"},
            }
        ],
        **extra,
    }


def _line(kind: str, id_: str, price: int, **extra) -> dict:
    return {
        "__typename": kind,
        "id": id_,
        "quantity": 1,
        "currentPrice": price,
        "currentDiscountAmount": 0,
        "currentTaxAmount": 0,
        "staffId": "urn:blvd:Staff:st1",
        "service": None,
        "refundedOrderLineId": None,
        **extra,
    }


def nodes() -> dict[str, list[dict]]:
    return {
        "locations": [LOCATION],
        "staff": [
            {
                "id": "urn:blvd:Staff:st1",
                "name": "Avery Lindqvist",
                "firstName": "Avery",
                "lastName": "Lindqvist",
                "active": True,
                "role": {"name": "Nurse Injector"},
                "locations": [{"id": LOCATION["id"]}],
            },
            {
                "id": "urn:blvd:Staff:st2",
                "name": "Jordan Okafor",
                "active": False,
                "role": {"name": "Aesthetician"},
                "locations": [],
            },
        ],
        "services": [
            {
                "id": "urn:blvd:Service:s1",
                "name": "Neurotoxin",
                "category": {"name": "Injectables"},
            },
            {
                "id": "urn:blvd:Service:s2",
                "name": "Body Contouring Consultation",
                "category": {"name": "Body Contouring"},
            },
            {"id": "urn:blvd:Service:s3", "name": "Gua Sha", "category": {"name": "Spa Rituals"}},
        ],
        "clients": [
            {
                "id": f"urn:blvd:Client:c{n}",
                "createdAt": f"2026-01-0{n}T18:00:00Z",
                "updatedAt": f"2026-02-0{n}T18:00:00Z",
                "email": f"client{n}@example.com",
                "mobilePhone": "+13035550100",
                "primaryLocation": {"id": LOCATION["id"]},
            }
            for n in range(1, 4)
        ],
        "appointments": [
            _appointment("urn:blvd:Appointment:a1", "2026-03-02T17:00:00Z", "FINAL"),
            _appointment("urn:blvd:Appointment:a2", "2026-03-03T17:00:00Z", "CANCELLED", "NO_SHOW"),
            _appointment(
                "urn:blvd:Appointment:a3", "2026-03-04T17:00:00Z", "CANCELLED", "CLIENT_LATE_CANCEL"
            ),
            _appointment(
                "urn:blvd:Appointment:a4", "2026-03-05T17:00:00Z", "CANCELLED", "STAFF_CANCEL"
            ),
            _appointment("urn:blvd:Appointment:a5", "2026-04-20T17:00:00Z", "CONFIRMED"),
        ],
        "orders": [
            {
                "id": "urn:blvd:Order:o1",
                "number": "1001",
                "clientId": "urn:blvd:Client:c1",
                "locationId": LOCATION["id"],
                "createdAt": "2026-03-02T18:10:00Z",
                "updatedAt": "2026-03-02T18:15:00Z",
                "closedAt": "2026-03-02T18:15:00Z",
                "voidedAt": None,
                "lineGroups": [
                    {
                        "appointmentId": "urn:blvd:Appointment:a1",
                        "lines": [
                            _line(
                                "OrderServiceLine",
                                "urn:blvd:OrderLine:ol1",
                                30000,
                                currentDiscountAmount=2000,
                                currentTaxAmount=2240,
                                service={"id": "urn:blvd:Service:s1"},
                            ),
                        ],
                    },
                    {
                        "appointmentId": None,
                        "lines": [_line("OrderProductLine", "urn:blvd:OrderLine:ol2", 4599)],
                    },
                ],
            },
            {
                "id": "urn:blvd:Order:o2",
                "number": "1002",
                "clientId": "urn:blvd:Client:c2",
                "locationId": LOCATION["id"],
                "createdAt": "2026-03-04T18:00:00Z",
                "updatedAt": "2026-03-06T18:00:00Z",
                "closedAt": None,
                "voidedAt": "2026-03-06T18:00:00Z",
                "lineGroups": [
                    {
                        "appointmentId": None,
                        "lines": [_line("OrderGiftCardLine", "urn:blvd:OrderLine:ol3", 5000)],
                    }
                ],
            },
            {
                "id": "urn:blvd:Order:o3",
                "number": "1003",
                "clientId": "urn:blvd:Client:c1",
                "locationId": LOCATION["id"],
                "createdAt": "2026-03-09T18:00:00Z",
                "updatedAt": "2026-03-09T18:00:00Z",
                "closedAt": "2026-03-09T18:00:00Z",
                "voidedAt": None,
                "lineGroups": [
                    {
                        "appointmentId": None,
                        "lines": [
                            _line(
                                "OrderServiceLine",
                                "urn:blvd:OrderLine:ol4",
                                -30000,
                                refundedOrderLineId="urn:blvd:OrderLine:ol1",
                                service={"id": "urn:blvd:Service:s1"},
                            ),
                            _line("OrderAccountCreditLine", "urn:blvd:OrderLine:ol5", 1000),
                        ],
                    }
                ],
            },
        ],
    }


@pytest.fixture
def boulevard(httpserver, monkeypatch) -> BoulevardFake:
    fake = BoulevardFake(httpserver, nodes(), page_cap=2)  # small pages: paging is exercised
    for key, value in fake.config().items():
        monkeypatch.setenv(key, value)
    return fake


@pytest.fixture
def run(make_pipeline, sleeps):
    pipeline = make_pipeline("boulevard")

    def run_once(today: str = "2026-03-10", **options):
        source = boulevard_source(
            clinic_id="clinic_a",
            start_date="2026-01-01",
            today=today,
            horizon_days=60,
            sleep=sleeps.append,
            backoff_seconds=0.01,
            **options,
        )
        pipeline.run(source)
        return pipeline

    return run_once


def _count(query, table: str) -> int:
    return query(f"select count(*) from raw_boulevard.{table}")[0][0]


def test_the_signed_token_is_boulevards():
    """Boulevard's documented steps, by hand: payload = prefix + business + unix seconds;
    signature = base64(HMAC-SHA256(base64-decoded secret, payload)); Basic key:sig+payload."""
    header = authorization("key", base64.b64encode(b"k" * 32).decode(), "biz", 1_700_000_000.9)
    user, _, token = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
    assert user == "key"
    assert token.endswith("blvd-admin-v1biz1700000000")
    assert len(token) == 44 + len("blvd-admin-v1biz1700000000")  # a base64 SHA-256 first


def test_loads_every_entity_in_canonical_shapes_and_a_second_load_adds_nothing(
    run, boulevard, query
):
    run()
    counts = {t: _count(query, t) for t in ("locations", "providers", "services", "patients")}
    assert counts == {"locations": 1, "providers": 2, "services": 3, "patients": 3}
    assert _count(query, "appointments") == 5 and _count(query, "invoice_lines") == 5
    for table in (
        "locations",
        "providers",
        "services",
        "patients",
        "appointments",
        "invoice_lines",
    ):
        assert not missing_canonical_columns(query, "raw_boulevard", table), table
    # every page was followed: 3 clients at 2 a page is 2 requests; the first run reads
    # every client, orders from the start date
    assert [c for c, _ in boulevard.requests].count("clients") == 2
    first = dict((c, v) for c, v in boulevard.requests if not v.get("after"))
    assert "query" not in first["clients"]
    assert first["orders"]["query"] == "updatedAt >= '2026-01-01T00:00:00Z'"

    asked = len(boulevard.requests)
    run(today="2026-03-11")
    assert {t: _count(query, t) for t in counts} == counts
    assert (_count(query, "appointments"), _count(query, "invoice_lines")) == (5, 5)
    # incremental: clients and orders are asked from the latest updatedAt already loaded
    later = dict((c, v) for c, v in boulevard.requests[asked:] if not v.get("after"))
    assert later["clients"]["query"] == "updatedAt >= '2026-02-03T18:00:00Z'"
    assert later["orders"]["query"] == "updatedAt >= '2026-03-09T18:00:00Z'"


def test_catalog_and_clients_map_to_canonical_values(run, boulevard, query):
    run()
    assert query("select location_id, clinic_id, timezone from raw_boulevard.locations") == [
        (LOCATION["id"], "clinic_a", "America/Denver")
    ]
    assert query(
        "select provider_id, location_id, role, active from raw_boulevard.providers order by 1"
    ) == [
        ("urn:blvd:Staff:st1", LOCATION["id"], "Nurse Injector", True),
        ("urn:blvd:Staff:st2", None, "Aesthetician", False),
    ]
    assert query(
        "select service_id, category, is_consultation from raw_boulevard.services order by 1"
    ) == [
        ("urn:blvd:Service:s1", "injectables", False),
        ("urn:blvd:Service:s2", "body_contouring", True),
        ("urn:blvd:Service:s3", "boulevard:Spa Rituals", False),  # staging quarantines it
    ]
    assert query(
        "select created_at, email, referral_source from raw_boulevard.patients where "
        "patient_id = 'urn:blvd:Client:c1'"
    ) == [("2026-01-01T18:00:00Z", "client1@example.com", None)]


def test_appointment_statuses_come_from_state_and_cancellation_reason(run, boulevard, query):
    run()
    rows = query(
        "select appointment_id, status, cancelled_at, provider_id, service_id "
        "from raw_boulevard.appointments order by 1"
    )
    assert [(r[0][-2:], r[1]) for r in rows] == [
        ("a1", "completed"),
        ("a2", "no_show"),
        ("a3", "late_cancelled"),
        ("a4", "cancelled"),
        ("a5", "booked"),  # upcoming, read ahead of the run day
    ]
    assert rows[2][2] == "2026-02-28T15:00:00Z" and rows[0][2] is None
    assert {(r[3], r[4]) for r in rows} == {("urn:blvd:Staff:st1", "urn:blvd:Service:s1")}
    # one location, read by start date from the start to the horizon, with its locationId
    (variables,) = [v for c, v in boulevard.requests if c == "appointments" and not v.get("after")]
    assert variables["locationId"] == LOCATION["id"]
    assert variables["query"] == "startAt >= '2026-01-01' AND startAt < '2026-05-10'"


def test_order_lines_become_invoice_lines_in_money_not_cents(run, boulevard, query):
    run()
    rows = query(
        "select line_id, invoice_id, appointment_id, service_id, item_type, quantity, "
        "unit_price, discount, tax, tip, invoice_status, issued_at, refund_of_line_id "
        "from raw_boulevard.invoice_lines order by line_id"
    )
    by_id = {r[0].rsplit(":", 1)[-1]: r[1:] for r in rows}
    assert by_id["ol1"] == (
        "urn:blvd:Order:o1",
        "urn:blvd:Appointment:a1",
        "urn:blvd:Service:s1",
        "service",
        Decimal("1"),
        Decimal("300"),
        Decimal("20"),
        Decimal("22.4"),
        Decimal("0"),
        "closed",
        "2026-03-02T18:15:00Z",
        None,
    )
    assert by_id["ol2"][3:6] == ("product", Decimal("1"), Decimal("45.99"))
    assert by_id["ol3"][3] == "gift_card" and by_id["ol3"][9] == "void"
    assert by_id["ol4"][5] == Decimal("-300") and by_id["ol4"][11] == "urn:blvd:OrderLine:ol1"
    assert by_id["ol5"][3] == "boulevard:OrderAccountCreditLine"  # staging quarantines it


def test_server_errors_are_retried_and_graphql_errors_fail_with_their_message(
    run, boulevard, sleeps, query
):
    failures = iter(
        [Response("busy", status=503), Response("slow down", 429, {"Retry-After": "3"})]
    )

    def flaky(connection, variables):
        return next(failures, None) if connection == "services" else None

    boulevard.answer = flaky
    run()
    assert sleeps == [0.01, 3.0] and _count(query, "services") == 3

    boulevard.answer = lambda c, v: (
        Response('{"errors": [{"message": "Field \'voidedAt\' doesn\'t exist"}]}', 200)
        if c == "orders"
        else None
    )
    with pytest.raises(PipelineStepFailed) as failed:
        run()
    assert "boulevard/orders: the API answered with errors: Field 'voidedAt'" in str(
        source_error(failed.value)
    )


def test_a_wrong_secret_fails_fast_and_names_what_to_check(run, boulevard, sleeps, monkeypatch):
    wrong = base64.b64encode(b"not-the-SECRET-key-at-all-000000").decode()
    monkeypatch.setenv("SOURCES__BOULEVARD__API_SECRET", wrong)
    with pytest.raises(PipelineStepFailed) as failed:
        run()
    error = source_error(failed.value)
    assert isinstance(error, SourceAuthError) and sleeps == []
    assert "check sources.boulevard.business_id, api_key and api_secret" in str(error)
    assert_no_secret(str(failed.value), [API_KEY, wrong, API_SECRET])


def test_a_repeated_cursor_is_refused_instead_of_looping(run, boulevard):
    def stuck(connection, variables):
        if connection == "staff":
            page = {"edges": [{"node": nodes()["staff"][0]}]}
            page["pageInfo"] = {"hasNextPage": True, "endCursor": "c1"}
            return Response(json.dumps({"data": {"staff": page}}), 200)
        return None

    boulevard.answer = stuck
    with pytest.raises(PipelineStepFailed) as failed:
        run()
    error = source_error(failed.value)
    assert isinstance(error, PayloadError)
    assert "boulevard/staff: hasNextPage without a new endCursor" in str(error)


def test_a_secret_that_is_not_base64_is_refused_by_name(monkeypatch, boulevard):
    monkeypatch.setenv("SOURCES__BOULEVARD__API_SECRET", "not base64!")
    with pytest.raises(Exception) as refused:
        boulevard_source(clinic_id="c", start_date="2026-01-01")
    assert "sources.boulevard.api_secret is not base64" in str(refused.value)


def test_staging_lands_local_times_and_quarantines_what_has_no_canonical_meaning(
    run, boulevard, warehouse, query, tmp_path
):
    """Through dbt: every raw row is staged or quarantined (the row accounting check),
    instants become local times at the location, cents became money."""
    run()
    dbt_run(warehouse, tmp_path, "+staging.boulevard")
    assert query("select entity, record_key, reason from staging.stg_boulevard__quarantine") == [
        ("services", "urn:blvd:Service:s3", "unknown category: boulevard:Spa Rituals"),
        (
            "invoice_lines",
            "urn:blvd:OrderLine:ol5",
            "unknown item_type: boulevard:OrderAccountCreditLine",
        ),
    ]
    assert query(
        "select status, cast(start_at as varchar), cast(cancelled_at as varchar), clinic_id "
        "from staging.stg_boulevard__appointments where appointment_id like '%a3'"
    ) == [("late_cancelled", "2026-03-04 10:00:00", "2026-02-28 08:00:00", "clinic_a")]
    assert query(
        "select cast(issued_at as varchar), unit_price, discount, invoice_status "
        "from staging.stg_boulevard__invoice_lines where line_id like '%ol1'"
    ) == [("2026-03-02 11:15:00", Decimal("300"), Decimal("20"), "closed")]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for entity in ("locations", "providers", "services", "patients", "appointments"):
            assert source_accounting_outcome(con, "boulevard", entity).passed, entity
        lines = source_accounting_outcome(con, "boulevard", "invoice_lines")
    assert lines.description == ("5 rows in raw_boulevard.invoice_lines = 4 staged + 1 quarantined")
