"""The demo clinic served by fake Google Ads, Meta Ads and Zenoti APIs, in the shapes the
real APIs answer (the same shapes tests/sources checks the sources against).

The translator reads the clinic's CSV exports and keeps what the clinic's systems hold
*now*: per key, the latest version under METRICS.md's rule (latest updated_at instant,
then the later file, then the later row), and only the keys the file loader accepted (the
planted bad rows exist only in the file exports). Each platform then answers from those
rows: Google (cost in micros, customer id without dashes), Meta (numbers as strings,
cursor paging), Zenoti (center-local times without offset, status codes, per-center lists
paged by `page`/`size` in the query string with Zenoti's default size of 10, services'
categories only under `expand=additional_info`, the sales report with one row per invoice
item carrying its `invoice_item_id`, and refunds on their own invoice).
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ingestion.files.entities import ENTITIES

GOOGLE_TOKEN = "ya29.clinic-access-token"
ZENOTI_STATUS = {"booked": 0, "completed": 1, "no_show": -2, "cancelled": -1}
ZENOTI_INVOICE_STATUS = {"open": "Open", "closed": "Closed", "void": "Voided"}
ZENOTI_ITEM_TYPE = {
    "service": "Service",
    "product": "Product",
    "package": "Package",
    "membership": "Membership",
    "gift_card": "Gift Card",
}


def entity_files(folder: Path, entity: str) -> list[Path]:
    """The entity's export files in name order (METRICS.md: `appointments.csv`,
    `appointments_2026-11-02.csv`, ...)."""
    return sorted(
        p
        for p in folder.glob(f"{entity}*.csv")
        if p.stem == entity or p.stem.startswith((entity + "_", entity + "-"))
    )


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict], columns: Iterable[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


def key_of(entity: str, row: dict) -> tuple[str, ...]:
    return tuple(row[k].strip() for k in ENTITIES[entity].key)


def local(value: str | None, zone: str) -> str | None:
    """An ISO timestamp as wall time at `zone` without offset (naive is local already)."""
    if not value or not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


@dataclass
class Clinic:
    """The clinic's current rows per entity (dicts of CSV text), keyed as the exports are."""

    rows: dict[str, list[dict]]
    zones: dict[str, str] = field(init=False)  # location_id -> IANA zone

    def __post_init__(self) -> None:
        self.zones = {r["location_id"]: r["timezone"] for r in self.rows["locations"]}

    @classmethod
    def from_exports(cls, folder: Path, accepted: dict[str, set[tuple[str, ...]]]) -> Clinic:
        """`accepted[entity]`: the keys the file loader staged (the others were refused)."""
        zones = {r["location_id"]: r["timezone"] for r in read_rows(folder / "locations.csv")}
        rows = {}
        for entity, spec in ENTITIES.items():
            latest: dict[tuple[str, ...], tuple] = {}
            for file_rank, path in enumerate(entity_files(folder, entity)):
                for row_rank, row in enumerate(read_rows(path)):
                    key = key_of(entity, row)
                    if key not in accepted[entity]:
                        continue
                    version = (file_rank, row_rank)
                    if spec.version_column:
                        zone = zones[row["location_id"].strip()]
                        instant = datetime.fromisoformat(
                            _aware(row[spec.version_column].strip(), zone)
                        )
                        version = (instant, *version)
                    if key not in latest or version > latest[key][0]:
                        latest[key] = (version, row)
            rows[entity] = [row for _, row in latest.values()]
        return cls(rows)

    def zone(self, location_id: str) -> str:
        return self.zones[location_id]


def _aware(value: str, zone: str) -> str:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.isoformat()


def _money(text: str) -> Decimal:
    return Decimal(text.strip() or "0")


def _number(value: Decimal) -> float | int:
    """A JSON number whose shortest repr is the decimal's text (the sources read str())."""
    return int(value) if value == value.to_integral_value() else float(value)


def json_response(body) -> Response:
    return Response(json.dumps(body), status=200, mimetype="application/json")


# Ad platforms -------------------------------------------------------------------------


@dataclass
class AdAccount:
    platform: str
    account_id: str  # as the clinic's exports show it: 381-442-9051, act_20419876
    rows: list[dict]  # the platform's ad_spend rows

    @property
    def api_id(self) -> str:
        return re.sub(r"\D", "", self.account_id)

    def between(self, first: str, last: str) -> list[dict]:
        return sorted(
            (r for r in self.rows if first <= r["date"] <= last),
            key=lambda r: (r["date"], r["campaign_id"]),
        )


def ad_account(clinic: Clinic, platform: str) -> AdAccount:
    rows = [r for r in clinic.rows["ad_spend"] if r["platform"] == platform]
    (account,) = {r["account_id"] for r in rows}  # one account per platform in the demo
    return AdAccount(platform, account, rows)


def google_results(account: AdAccount, first: str, last: str) -> list[dict]:
    """GoogleAdsRows as REST searchStream returns them: int64 as strings, cost in micros,
    zero-valued metrics omitted (proto3 JSON)."""
    results = []
    for r in account.between(first, last):
        metrics = {
            "costMicros": str(int(_money(r["spend"]) * 1_000_000)),
            "clicks": r["clicks"],
            "impressions": r["impressions"],
        }
        results.append(
            {
                "customer": {
                    "resourceName": f"customers/{account.api_id}",
                    "id": account.api_id,
                    "currencyCode": r["currency"],
                },
                "campaign": {
                    "resourceName": f"customers/{account.api_id}/campaigns/{r['campaign_id']}",
                    "id": r["campaign_id"],
                    "name": r["campaign_name"],
                },
                "metrics": {k: v for k, v in metrics.items() if v.strip("0")},
                "segments": {"date": r["date"]},
            }
        )
    return results


def meta_rows(account: AdAccount, first: str, last: str) -> list[dict]:
    return [
        {
            "campaign_id": r["campaign_id"],
            "campaign_name": r["campaign_name"],
            "spend": r["spend"],
            "impressions": r["impressions"],
            "clicks": r["clicks"],
            "date_start": r["date"],
            "date_stop": r["date"],
            "account_currency": r["currency"],
        }
        for r in account.between(first, last)
    ]


# Zenoti -------------------------------------------------------------------------------


def zenoti_category(category: str) -> str:
    """A Zenoti category name for a canonical category (body_contouring -> Body Contouring)."""
    return category.replace("_", " ").title()


@dataclass
class Zenoti:
    """Per center: employees, services, guests, appointments by local start date and sales
    report rows by local invoice date."""

    centers: list[dict]
    employees: dict[str, list[dict]]
    services: list[dict]
    guests: dict[str, list[dict]]
    appointments: dict[str, list[dict]]
    sales: dict[str, list[dict]]


def zenoti_from(clinic: Clinic) -> Zenoti:
    rows = clinic.rows
    centers = [
        {"id": r["location_id"], "code": r["location_id"].upper(), "name": r["name"]}
        for r in rows["locations"]
    ]
    employees, guests, appointments = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in rows["providers"]:
        first, _, last = r["name"].partition(" ")
        employees[r["location_id"]].append(
            {
                "id": r["provider_id"],
                "code": r["provider_id"].upper(),
                "personal_info": {"first_name": first, "last_name": last, "name": r["name"]},
                "job_info": {"id": f"job-{r['role']}", "name": r["role"]},
            }
        )
    services = [
        {
            "id": r["service_id"],
            "code": r["service_id"].upper(),
            "name": r["name"],
            "additional_info": {
                "category": {"id": f"cat-{r['category']}", "name": zenoti_category(r["category"])}
            },
        }
        for r in rows["services"]
    ]
    for r in rows["patients"]:
        zone = clinic.zone(r["location_id"])
        guests[r["location_id"]].append(
            {
                "id": r["patient_id"],
                "center_id": r["location_id"],
                # GuestInfo carries created_date (docs: retrieve-guest-details); whether the
                # center list does is unverified, and tests/sources covers its absence.
                "created_date": local(r["created_at"], zone),
                "personal_info": {
                    "email": r["email"] or None,
                    "mobile_phone": {"country_code": 1, "number": r["phone"] or None},
                },
                "referral": {"referral_source": {"name": r["referral_source"] or None}},
            }
        )
    for r in rows["appointments"]:
        zone = clinic.zone(r["location_id"])
        appointments[r["location_id"]].append(
            {
                "appointment_id": r["appointment_id"],
                "service": {"id": r["service_id"]},
                "start_time": local(r["start_at"], zone),
                "end_time": local(r["end_at"], zone),
                "creation_date": local(r["booked_at"], zone),
                "status": ZENOTI_STATUS[r["status"]],
                "guest": {"id": r["patient_id"]},
                "therapist": {"id": r["provider_id"]},
            }
        )
    return Zenoti(centers, employees, services, guests, appointments, sales_report(clinic))


def sales_report(clinic: Clinic) -> dict[str, list[dict]]:
    """The accrual sales report's rows per center, each with Zenoti's `invoice_item_id`
    (the clinic's line id). A refund (its own invoice, `base_invoice_no` set) names only the
    invoice and the item, and the source points it at the first line of that item on that
    invoice: so a refunded line is listed first among its invoice's lines of that item."""
    lines = clinic.rows["invoice_lines"]
    by_id = {r["line_id"]: r for r in lines}
    refunded = {r["refund_of_line_id"] for r in lines if r["refund_of_line_id"]}
    item = {r["line_id"]: r["service_id"] or r["item_type"] for r in lines}
    dates: dict[str, set[str]] = defaultdict(set)
    for r in lines:
        dates[r["invoice_id"]].add(local(r["issued_at"], clinic.zone(r["location_id"]))[:10])
        if r["refund_of_line_id"]:
            original = by_id[r["refund_of_line_id"]]
            assert original["location_id"] == r["location_id"], "a refund at another center"
            assert item[original["line_id"]] == item[r["line_id"]], "a refund of another item"
    assert all(len(d) == 1 for d in dates.values()), "an invoice spans two local dates"
    first_of_item = set()
    ordered = sorted(
        lines,
        key=lambda r: (r["invoice_id"], r["line_id"] not in refunded, r["line_id"]),
    )
    report: dict[str, list[dict]] = defaultdict(list)
    for r in ordered:
        slot = (r["invoice_id"], item[r["line_id"]])
        assert r["line_id"] not in refunded or slot not in first_of_item, "two refunded items"
        first_of_item.add(slot)
        quantity, discount = _money(r["quantity"]), _money(r["discount"])
        invoice_date = local(r["issued_at"], clinic.zone(r["location_id"]))
        original = by_id.get(r["refund_of_line_id"])
        report[r["location_id"]].append(
            {
                "invoice_item_id": r["line_id"],
                "invoice_date": invoice_date,
                "sale_date": invoice_date,
                "invoice_id": r["invoice_id"],
                "invoice_no": r["invoice_id"],
                "guest_id": r["patient_id"],
                "center_id": r["location_id"],
                "item_id": item[r["line_id"]],
                "item_name": r["service_id"] or r["item_type"],
                "item_type": ZENOTI_ITEM_TYPE[r["item_type"]],
                "qty": _number(quantity),
                "sales_exc_tax": _number(quantity * _money(r["unit_price"]) - discount),
                "tax": _number(_money(r["tax"])),
                "discount": _number(discount),
                "status": ZENOTI_INVOICE_STATUS[r["invoice_status"]],
                "sold_by_id": r["provider_id"],
                "base_invoice_no": original["invoice_id"] if original else None,
            }
        )
    return report


# The server ---------------------------------------------------------------------------


def _paged(items: list[dict], key: str, request: Request) -> Response:
    """Zenoti's paging: `page`/`size` from the query string, size 10 unless asked, at most
    100; `page_info.total` counts the whole listing."""
    page = int(request.args.get("page", 1))
    size = min(int(request.args.get("size", 10)), 100)
    info = {"total": len(items), "page": page, "size": size}
    return json_response({key: items[(page - 1) * size : page * size], "page_info": info})


def serve(server: HTTPServer, clinic: Clinic) -> None:
    """Register the clinic's Google Ads, Meta Ads and Zenoti endpoints on `server`."""
    google, meta = ad_account(clinic, "google_ads"), ad_account(clinic, "meta_ads")
    zenoti = zenoti_from(clinic)

    def search_stream(request: Request) -> Response:
        first, last = re.findall(r"'(\d{4}-\d{2}-\d{2})'", request.get_json()["query"])
        results = google_results(google, first, last)
        batches = [{"results": results[i : i + 1000]} for i in range(0, len(results), 1000)]
        return json_response(batches or [{}])

    def insights(request: Request) -> Response:
        window = json.loads(request.args["time_range"])
        rows = meta_rows(meta, window["since"], window["until"])
        size = int(request.args["limit"])
        offset = int(request.args.get("after", "0"))
        body: dict = {"data": rows[offset : offset + size], "paging": {"cursors": {}}}
        if offset + size < len(rows):
            body["paging"]["cursors"]["after"] = str(offset + size)
            body["paging"]["next"] = server.url_for(f"{request.path}?after={offset + size}")
        return json_response(body)

    def paged(items: Callable[[Request], list[dict]], key: str) -> Callable[[Request], Response]:
        def page(request: Request) -> Response:
            return _paged(items(request), key, request)

        return page

    def services(request: Request) -> list[dict]:
        if "additional_info" in request.args.getlist("expand"):
            return zenoti.services
        return [{k: v for k, v in s.items() if k != "additional_info"} for s in zenoti.services]

    def center_in_path(request: Request) -> str:
        return request.path.split("/")[3]  # /v1/centers/<center_id>/...

    def appointments(request: Request) -> Response:
        first, stop = request.args["start_date"], request.args["end_date"]
        return json_response(
            {
                "appointments": [
                    a
                    for a in zenoti.appointments.get(request.args["center_id"], [])
                    if first <= a["start_time"][:10] < stop
                ]
            }
        )

    def sales(request: Request) -> Response:
        body = request.get_json()  # center-local 'YYYY-MM-DD 00:00:00' .. 'YYYY-MM-DD 23:59:59'
        first, last = body["start_date"][:10], body["end_date"][:10]
        rows = [
            s
            for center in body["center_ids"]
            for s in zenoti.sales.get(center, [])
            if first <= s["invoice_date"][:10] <= last
        ]
        return _paged(rows, "sales", request)

    server.expect_request("/token", method="POST").respond_with_json(
        {"access_token": GOOGLE_TOKEN, "expires_in": 3599, "token_type": "Bearer"}
    )
    server.expect_request(
        re.compile(rf"^/v\d+/customers/{google.api_id}/googleAds:searchStream$"), method="POST"
    ).respond_with_handler(search_stream)
    server.expect_request(
        re.compile(rf"^/v[\d.]+/act_{meta.api_id}/insights$")
    ).respond_with_handler(insights)
    server.expect_request("/v1/centers").respond_with_json({"centers": zenoti.centers})
    server.expect_request(re.compile(r"^/v1/centers/[^/]+/employees$")).respond_with_handler(
        paged(lambda request: zenoti.employees.get(center_in_path(request), []), "employees")
    )
    server.expect_request(re.compile(r"^/v1/centers/[^/]+/services$")).respond_with_handler(
        paged(services, "services")
    )
    server.expect_request("/v1/guests").respond_with_handler(
        paged(lambda request: zenoti.guests.get(request.args["center_id"], []), "guests")
    )
    server.expect_request("/v1/appointments").respond_with_handler(appointments)
    server.expect_request(
        "/v1/reports/sales/accrual_basis/flat_file", method="POST"
    ).respond_with_handler(sales)


def source_config(server: HTTPServer, clinic: Clinic, leads_path: Path) -> dict[str, str]:
    """The environment that configures the four API sources against `server`, as a clinic
    would in .dlt/config.toml and .dlt/secrets.toml (README 'Pulling from the APIs')."""
    google, meta = ad_account(clinic, "google_ads"), ad_account(clinic, "meta_ads")
    clinic_id = clinic.rows["locations"][0]["clinic_id"]
    days = [r["date"] for r in clinic.rows["ad_spend"]]
    zenoti_days = [
        local(r[column], clinic.zone(r["location_id"]))[:10]
        for entity, column in (("appointments", "start_at"), ("invoice_lines", "issued_at"))
        for r in clinic.rows[entity]
    ]
    invoice_days = [
        local(r["issued_at"], clinic.zone(r["location_id"]))[:10]
        for r in clinic.rows["invoice_lines"]
    ]
    # The run date: the day after the last spend or sale (the exports' day); appointments
    # are read ahead far enough to reach the last upcoming booking.
    today = date.fromisoformat(max(days + invoice_days)) + timedelta(days=1)
    horizon = max(0, (date.fromisoformat(max(zenoti_days)) - today).days) + 1
    base = server.url_for("/")
    config = {
        "google_ads": {
            "accounts": json.dumps([{"customer_id": google.account_id, "clinic_id": clinic_id}]),
            "start_date": min(days),
            "today": today.isoformat(),
            "base_url": base,
            "token_url": server.url_for("/token"),
            "credentials__developer_token": "dev-token",
            "credentials__client_id": "client.apps.googleusercontent.com",
            "credentials__client_secret": "client-secret",
            "credentials__refresh_token": "1//refresh-token",
        },
        "meta_ads": {
            "accounts": json.dumps([{"account_id": meta.account_id, "clinic_id": clinic_id}]),
            "start_date": min(days),
            "today": today.isoformat(),
            "base_url": base,
            "access_token": "meta-system-user-token",
        },
        "zenoti": {
            "api_key": "zenoti-api-key",
            "centers": json.dumps(
                [
                    {"center_id": location, "clinic_id": clinic_id, "timezone": zone}
                    for location, zone in clinic.zones.items()
                ]
            ),
            "start_date": min(zenoti_days),
            "today": today.isoformat(),
            "horizon_days": str(horizon),
            "calls_per_minute": "0",  # a local server has no rate limit to respect
            "base_url": base,
        },
        "leads": {"path": str(leads_path), "clinic_id": clinic_id},
    }
    return {
        f"SOURCES__{source.upper()}__{key.upper()}": value
        for source, keys in config.items()
        for key, value in keys.items()
    }
