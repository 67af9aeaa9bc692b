"""Payloads shaped like the real APIs' documented responses, and small fakes serving them.

Each fake answers from a ledger (what the platform "knows") so a test can change the
ledger between runs, the way a platform restates a day, and see what the source reads.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


class SpendLedger:
    """What an ad platform currently reports: (day, campaign_id) -> spend."""

    def __init__(self) -> None:
        self.spend: dict[tuple[str, str], object] = {}

    def fill(self, first: str, last: str, campaigns: tuple[str, ...], spend: object) -> None:
        for day in days(first, last):
            for campaign in campaigns:
                self.spend[(day, campaign)] = spend

    def between(self, first: str, last: str) -> list[tuple[str, str, object]]:
        return [(d, c, v) for (d, c), v in sorted(self.spend.items()) if first <= d <= last]


# Google Ads (REST: nested by resource, camelCase leaves, int64 as strings) ------------

GOOGLE_CUSTOMER = "1234567890"
GOOGLE_ACCESS_TOKEN = "ya29.access-SECRET-token"
GOOGLE_SEARCH_PATH = re.compile(r"^/v\d+/customers/\d+/googleAds:searchStream$")


def google_row(
    day: str, campaign_id: str, cost_micros: int, clicks: int = 10, customer: str = GOOGLE_CUSTOMER
) -> dict:
    return {
        "customer": {
            "resourceName": f"customers/{customer}",
            "id": customer,
            "currencyCode": "USD",
        },
        "campaign": {
            "resourceName": f"customers/{customer}/campaigns/{campaign_id}",
            "id": campaign_id,
            "name": f"Campaign {campaign_id}",
        },
        "metrics": {
            "clicks": str(clicks),
            "costMicros": str(cost_micros),
            "impressions": str(clicks * 20),
            "conversions": 1.0,
        },
        "segments": {"date": day},
    }


def google_stream(rows: list[dict], batch_size: int = 3) -> list[dict]:
    """searchStream's answer: a JSON array of batches (the last one may hold no results)."""
    mask = "segments.date,customer.id,campaign.id,campaign.name,customer.currencyCode,metrics.costMicros"
    batches = [
        {"results": rows[i : i + batch_size], "fieldMask": mask, "requestId": "req-1"}
        for i in range(0, len(rows), batch_size)
    ]
    return batches or [{"fieldMask": mask, "requestId": "req-1"}]


class GoogleAdsFake(SpendLedger):
    """OAuth token endpoint plus a searchStream answering the GAQL date range (cost micros)."""

    def __init__(self, server: HTTPServer) -> None:
        super().__init__()
        server.expect_request("/token", method="POST").respond_with_json(
            {"access_token": GOOGLE_ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"}
        )
        server.expect_request(GOOGLE_SEARCH_PATH, method="POST").respond_with_handler(self._search)

    def _search(self, request: Request) -> Response:
        first, last = re.findall(r"'(\d{4}-\d{2}-\d{2})'", request.get_json()["query"])
        customer = request.path.split("/")[3]  # /v26/customers/<id>/googleAds:searchStream
        rows = [
            google_row(day, campaign, micros, customer=customer)
            for day, campaign, micros in self.between(first, last)
        ]
        return json_response(google_stream(rows))


# Meta Marketing API insights (numbers as strings, cursor paging) -----------------------

META_ACCOUNT = "998877"
META_PATH = re.compile(r"^/v[\d.]+/act_\d+/insights$")


def meta_row(day: str, campaign_id: str, spend: str, clicks: int = 5) -> dict:
    return {
        "campaign_id": campaign_id,
        "campaign_name": f"Meta {campaign_id}",
        "spend": spend,
        "impressions": str(clicks * 40),
        "clicks": str(clicks),
        "date_start": day,
        "date_stop": day,
        "account_currency": "USD",
    }


def meta_statuses_asked(request: Request) -> set[str]:
    """The campaign effective_status values a request filters on (none: Meta's default)."""
    filters = json.loads(request.args.get("filtering", "[]"))
    return {
        status
        for f in filters
        if f["field"] == "campaign.effective_status" and f["operator"] == "IN"
        for status in f["value"]
    }


class MetaInsightsFake(SpendLedger):
    """Answers `time_range` (spend as strings), `limit` rows per page with an `after` cursor.

    Like account-level insights, it leaves out campaigns in `deleted` (id -> DELETED or
    ARCHIVED) unless the request filters on that campaign.effective_status ("Manage your
    ad object's status", developers.facebook.com/docs/marketing-api/best-practices/
    storing_adobjects: act_<id>/insights does not return deleted objects unfiltered)."""

    def __init__(self, server: HTTPServer) -> None:
        super().__init__()
        self.server = server
        self.deleted: dict[str, str] = {}
        server.expect_request(META_PATH, method="GET").respond_with_handler(self._insights)

    def _insights(self, request: Request) -> Response:
        window = json.loads(request.args["time_range"])
        asked = meta_statuses_asked(request)
        rows = [
            meta_row(d, c, spend)
            for d, c, spend in self.between(window["since"], window["until"])
            if c not in self.deleted or self.deleted[c] in asked
        ]
        size = int(request.args["limit"])
        offset = int(request.args.get("after", "cursor-0").removeprefix("cursor-"))
        body: dict = {
            "data": rows[offset : offset + size],
            "paging": {"cursors": {"before": f"cursor-{offset}"}},
        }
        if offset + size < len(rows):
            after = f"cursor-{offset + size}"
            body["paging"]["cursors"]["after"] = after
            body["paging"]["next"] = self.server.url_for(f"{request.path}?after={after}")
        return json_response(body)


# Zenoti (apikey header, per-center lists, 7-day appointment windows) ------------------
# Shapes: docs.zenoti.com/reference (list-all-services-of-a-center, list-all-guests-of-a-
# center, retrieve-the-list-of-appointments-of-a-center, sales-accrual-report), paging per
# those pages: `page` and `size` query parameters, size 10 by default and at most 100.

CENTER = "c0ffee00-0000-4000-8000-000000000001"
DEFAULT_SIZE = 10


def zenoti_center(center_id: str = CENTER, name: str = "Downtown") -> dict:
    return {"id": center_id, "code": "DT", "name": name, "time_zone_id": 10}


def zenoti_employee(employee_id: str, name: str, job: str = "Nurse Injector") -> dict:
    first, last = name.split(" ", 1)
    return {
        "id": employee_id,
        "code": employee_id[:4],
        "personal_info": {"first_name": first, "last_name": last, "name": name, "gender": 0},
        "job_info": {"id": "job-1", "name": job},
    }


def zenoti_service(service_id: str, name: str, category: str) -> dict:
    """A service as the list returns it with expand=additional_info; without expand the
    list leaves additional_info out (list-all-services-of-a-center)."""
    return {
        "id": service_id,
        "code": service_id[:4],
        "name": name,
        "duration": 30,
        "price_info": {"currency_id": 148, "sale_price": 100, "final_price": 100},
        "additional_info": {"category": {"id": f"cat-{category}", "name": category}},
    }


def zenoti_guest(guest_id: str, email: str) -> dict:
    """A guest of the center list: no `created_date` (the documented list and search
    responses do not carry one; only guest details does)."""
    return {
        "id": guest_id,
        "code": guest_id[:6],
        "center_id": CENTER,
        "center_name": "Downtown",
        "personal_info": {
            "first_name": "Pat",
            "last_name": guest_id,
            "email": email,
            "mobile_phone": {"country_code": 1, "number": "3035550100", "display_number": None},
            "gender": 1,
        },
        "referral": {"referral_source": {"id": "ref-1", "name": "Instagram"}},
    }


def zenoti_appointment(
    appointment_id: str, day: str, status: int, guest_id: str = "g1", therapist_id: str = "e1"
) -> dict:
    return {
        "appointment_id": appointment_id,
        "appointment_group_id": f"grp-{appointment_id}",
        "invoice_id": f"inv-{appointment_id}",
        "service": {"id": "s1", "name": "Botox", "category": {"id": "cat", "name": "Injectables"}},
        "start_time": f"{day}T10:00:00",
        "end_time": f"{day}T10:30:00",
        "start_time_utc": f"{day}T17:00:00",
        "end_time_utc": f"{day}T17:30:00",
        "creation_date": f"{day}T08:00:00",
        "status": status,
        "guest": {"id": guest_id, "first_name": "Pat", "last_name": "Lee"},
        "therapist": {"id": therapist_id, "first_name": "Ana", "last_name": "Ruiz"},
    }


def zenoti_sale(invoice_no: str, item_id: str, day: str, **overrides) -> dict:
    """One row of the sales accrual flat-file report (`sales[]`): one invoice item, with
    the ReportInvoice fields of sales-accrual-report. `invoice_item_id` is not in that
    field list; public clients report it on real responses, so tests add it when needed."""
    row = {
        "sale_date": f"{day}T11:00:00",
        "invoice_date": f"{day}T10:55:00",
        "invoice_id": f"inv-{invoice_no}",
        "invoice_no": invoice_no,
        "receipt_no": f"R{invoice_no}",
        "guest_id": "g1",
        "guest_name": "Pat Lee",
        "center_id": CENTER,
        "center_name": "Downtown",
        "item_id": item_id,
        "item_name": "Botox 20u",
        "item_type": "Service",
        "qty": 1,
        "sales_exc_tax": 280.0,
        "sales_inc_tax": 302.4,
        "tax": 22.4,
        "discount": 20.0,
        "status": "Closed",
        "sold_by_id": "e1",
        "base_invoice_no": None,
    }
    row.update(overrides)
    return row


def zenoti_page(request: Request, key: str, rows: list[dict], cap: int = 100) -> Response:
    """One page as Zenoti pages: `page`/`size` from the query string (10 by default), at
    most `cap` rows, `page_info.total` the number of rows of the whole listing."""
    number = int(request.args.get("page", 1))
    size = min(int(request.args.get("size", DEFAULT_SIZE)), cap)
    chunk = rows[(number - 1) * size : number * size]
    return json_response(
        {key: chunk, "page_info": {"total": len(rows), "page": number, "size": size}}
    )


def report_window(request: Request) -> tuple[str, str]:
    """The report body's first and last day (`YYYY-MM-DD 00:00:00` .. `YYYY-MM-DD 23:59:59`)."""
    body = request.get_json()
    return body["start_date"][:10], body["end_date"][:10]


class ZenotiFake:
    """Centers, employees, services, guests (paged), appointments and sales by date."""

    def __init__(self, server: HTTPServer, report_cap: int = 100) -> None:
        self.report_cap = report_cap  # a report answering fewer rows than asked
        self.centers = [zenoti_center()]
        self.employees = [zenoti_employee("e1", "Ana Ruiz"), zenoti_employee("e2", "Bo Chen")]
        self.services = [
            zenoti_service("s1", "Botox", "Injectables"),
            zenoti_service("s2", "Injectables Consultation", "Injectables"),
            zenoti_service("s3", "CoolSculpting", "Body Contouring"),
        ]
        self.guests = [zenoti_guest(f"g{i}", f"pat{i}@example.com") for i in range(1, 6)]
        self.appointments: dict[str, dict] = {}  # appointment_id -> payload
        self.sales: list[dict] = []
        server.expect_request("/v1/centers").respond_with_json({"centers": self.centers})
        server.expect_request(f"/v1/centers/{CENTER}/employees").respond_with_handler(
            lambda request: zenoti_page(request, "employees", self.employees)
        )
        server.expect_request(f"/v1/centers/{CENTER}/services").respond_with_handler(self._services)
        server.expect_request("/v1/guests").respond_with_handler(
            lambda request: zenoti_page(request, "guests", self.guests)
        )
        server.expect_request("/v1/appointments").respond_with_handler(self._appointments)
        server.expect_request(
            "/v1/reports/sales/accrual_basis/flat_file", method="POST"
        ).respond_with_handler(self._sales)

    def _services(self, request: Request) -> Response:
        expanded = "additional_info" in request.args.getlist("expand")
        rows = [
            s if expanded else {k: v for k, v in s.items() if k != "additional_info"}
            for s in self.services
        ]
        return zenoti_page(request, "services", rows)

    def _appointments(self, request: Request) -> Response:
        first, stop = request.args["start_date"], request.args["end_date"]
        rows = [a for a in self.appointments.values() if first <= a["start_time"][:10] < stop]
        return json_response({"appointments": rows})

    def _sales(self, request: Request) -> Response:
        first, last = report_window(request)
        rows = [s for s in self.sales if first <= s["invoice_date"][:10] <= last]
        return zenoti_page(request, "sales", rows, cap=self.report_cap)


# Shared -------------------------------------------------------------------------------


def days(first: str, last: str) -> list[str]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def json_response(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status=status, headers=headers, mimetype="application/json")


def requests_to(server: HTTPServer, path_pattern: str) -> list[Request]:
    return [request for request, _ in server.log if re.search(path_pattern, request.path)]
