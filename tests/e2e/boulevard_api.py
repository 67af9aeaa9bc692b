"""A local Boulevard Admin API (GraphQL over HTTP) for the source and end-to-end tests.

What it reproduces, and where each shape comes from:
- One endpoint, POST `/api/2020-01/admin` with `{"query", "variables"}` (Boulevard's
  Admin API docs; public clients post to https://dashboard.boulevard.io/api/2020-01/admin).
- HTTP Basic auth whose password is a signed token: base64(HMAC-SHA256(base64-decoded
  secret, "blvd-admin-v1" + business id + unix seconds)) + that payload (Boulevard's
  authentication guide; the same steps in public clients' `generateAuthHeader`). A wrong
  key, business or signature gets 401.
- Relay connections: `{edges: [{node}], pageInfo: {hasNextPage, endCursor}}`, paged by
  `first` / `after` with opaque cursors (public clients read exactly these fields).
- `appointments(locationId: ID!, query: "startAt >= '..' AND startAt < '..'")` lists one
  location's appointments (public clients query per location with such a filter);
  `clients` and `orders` filter on `updatedAt >= '..'` the same way.
- GraphQL errors come back with HTTP 200 and an `errors` list.
The nodes it serves are given by the test (see `boulevard_nodes` for the demo clinic).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from .clinic_apis import Clinic

PATH = "/api/2020-01/admin"
BUSINESS_ID = "8a7b7c3e-0d4f-4b7e-9a51-3c1e5b9f2d10"
API_KEY = "blvd-SECRET-api-key"
API_SECRET = base64.b64encode(b"boulevard-SECRET-signing-key-32b").decode()
CONDITION = re.compile(r"(\w+) (>=|<) '([^']+)'")


def _instant(value: str) -> datetime:
    """An ISO date or instant as an aware UTC datetime (a date: its midnight UTC)."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


@dataclass
class BoulevardFake:
    """`nodes[connection]`: the nodes listed per connection; `page_cap` the largest page
    served (a server may answer fewer than `first`); `requests` what was asked."""

    server: HTTPServer
    nodes: dict[str, list[dict]]
    page_cap: int = 100
    requests: list[tuple[str, dict]] = field(default_factory=list)
    answer: Callable[[str, dict], Response | None] | None = None  # a test's override

    def __post_init__(self) -> None:
        self.server.expect_request(PATH, method="POST").respond_with_handler(self.handle)

    @property
    def url(self) -> str:
        return self.server.url_for(PATH)

    def config(self, **extra: str) -> dict[str, str]:
        """The SOURCES__BOULEVARD__* environment pointing the source at this server."""
        settings = {
            "base_url": self.url,
            "business_id": BUSINESS_ID,
            "api_key": API_KEY,
            "api_secret": API_SECRET,
            "calls_per_minute": "0",
            **extra,
        }
        return {f"SOURCES__BOULEVARD__{k.upper()}": v for k, v in settings.items()}

    def handle(self, request: Request) -> Response:
        if not _signed(request.headers.get("Authorization", "")):
            return _json({"errors": [{"message": "Unauthorized"}]}, 401)
        body = request.get_json()
        match = re.search(r"\{ (\w+)\(", body["query"])
        if not match or match.group(1) not in self.nodes:
            return _json({"errors": [{"message": f"Cannot query: {body['query'][:60]}"}]})
        connection, variables = match.group(1), body.get("variables") or {}
        self.requests.append((connection, variables))
        if self.answer and (override := self.answer(connection, variables)) is not None:
            return override
        listed = [n for n in self.nodes[connection] if _matches(n, connection, variables)]
        start = int(base64.b64decode(variables["after"])) if variables.get("after") else 0
        size = min(int(variables["first"]), self.page_cap)
        page = listed[start : start + size]
        more = start + size < len(listed)
        cursor = base64.b64encode(str(start + len(page)).encode()).decode() if page else None
        return _json(
            {
                "data": {
                    connection: {
                        "edges": [{"node": n} for n in page],
                        "pageInfo": {"hasNextPage": more, "endCursor": cursor},
                    }
                }
            }
        )


def _signed(header: str) -> bool:
    """Boulevard's check: the token's signature over its own payload, for our key."""
    if not header.startswith("Basic "):
        return False
    key, _, token = base64.b64decode(header[6:]).decode().partition(":")
    signature, prefix, rest = token.partition("blvd-admin-v1")
    if key != API_KEY or not prefix or not rest.startswith(BUSINESS_ID):
        return False
    if not rest[len(BUSINESS_ID) :].isdigit():
        return False
    raw_key = base64.b64decode(API_SECRET)
    expected = hmac.new(raw_key, (prefix + rest).encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(expected).decode(), signature)


def _matches(node: dict, connection: str, variables: dict) -> bool:
    if connection == "appointments" and node.get("locationId") != variables.get("locationId"):
        return False
    for name, op, value in CONDITION.findall(variables.get("query") or ""):
        mine, bound = _instant(node[name]), _instant(value)
        if (op == ">=" and mine < bound) or (op == "<" and mine >= bound):
            return False
    return True


# The demo clinic as Boulevard would hold it ------------------------------------------

STATES = {"completed": "FINAL", "booked": "BOOKED"}
CANCEL_REASONS = {
    "cancelled": "CLIENT_CANCEL",
    "late_cancelled": "CLIENT_LATE_CANCEL",
    "no_show": "NO_SHOW",
}
LINE_TYPES = {
    "service": "OrderServiceLine",
    "product": "OrderProductLine",
    "package": "OrderPackageLine",
    "membership": "OrderMembershipLine",
    "gift_card": "OrderGiftCardLine",
}


def utc(value: str | None, zone: str) -> str | None:
    """An export timestamp (naive = local at `zone`) as Boulevard sends it: UTC, `Z`."""
    if not value or not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cents(text: str) -> int:
    cents = Decimal(text.strip() or "0") * 100
    assert cents == cents.to_integral_value(), f"{text} is not whole cents"
    return int(cents)


def _quantity(text: str) -> int | float:
    value = Decimal(text.strip())
    return int(value) if value == value.to_integral_value() else float(value)


def boulevard_nodes(clinic: Clinic) -> dict[str, list[dict]]:
    """The clinic's current rows as the nodes of Boulevard's connections."""
    rows, zone = clinic.rows, clinic.zone
    nodes: dict[str, list[dict]] = {
        "locations": [
            {"id": r["location_id"], "name": r["name"], "tz": r["timezone"]}
            for r in rows["locations"]
        ],
        "staff": [
            {
                "id": r["provider_id"],
                "name": r["name"],
                "firstName": r["name"].partition(" ")[0],
                "lastName": r["name"].partition(" ")[2],
                "active": r["active"].strip().lower() == "true",
                "role": {"name": r["role"]},
                "locations": [{"id": r["location_id"]}],
            }
            for r in rows["providers"]
        ],
        "services": [
            {
                "id": r["service_id"],
                "name": r["name"],
                "category": {"name": r["category"].replace("_", " ").title()},
            }
            for r in rows["services"]
        ],
        "clients": [
            {
                "id": r["patient_id"],
                "createdAt": utc(r["created_at"], zone(r["location_id"])),
                "updatedAt": utc(r["created_at"], zone(r["location_id"])),
                "email": r["email"] or None,
                "mobilePhone": r["phone"] or None,
                "primaryLocation": {"id": r["location_id"]},
            }
            for r in rows["patients"]
        ],
        "appointments": [],
        "orders": [],
    }
    for r in rows["appointments"]:
        at = zone(r["location_id"])
        cancelled = r["status"] in CANCEL_REASONS
        nodes["appointments"].append(
            {
                "id": r["appointment_id"],
                "clientId": r["patient_id"],
                "locationId": r["location_id"],
                "createdAt": utc(r["booked_at"], at),
                "startAt": utc(r["start_at"], at),
                "endAt": utc(r["end_at"], at),
                "state": "CANCELLED" if cancelled else STATES[r["status"]],
                "cancelled": cancelled,
                "cancellation": {
                    "cancelledAt": utc(r["cancelled_at"], at),
                    "reason": CANCEL_REASONS[r["status"]],
                }
                if cancelled
                else None,
                "appointmentServices": [
                    {
                        "startAt": utc(r["start_at"], at),
                        "service": {"id": r["service_id"]},
                        "staff": {"id": r["provider_id"]},
                    }
                ],
            }
        )
    nodes["orders"] = _orders(clinic)
    return nodes


def _orders(clinic: Clinic) -> list[dict]:
    """One order per invoice, its lines grouped by appointment (a line group each)."""
    invoices: dict[str, list[dict]] = defaultdict(list)
    for r in clinic.rows["invoice_lines"]:
        invoices[r["invoice_id"]].append(r)
    orders = []
    for invoice_id, lines in invoices.items():
        first = lines[0]
        at = clinic.zone(first["location_id"])
        issued = {utc(r["issued_at"], at) for r in lines}
        assert len(issued) == 1, f"{invoice_id}: lines issued at different times"
        assert len({(r["location_id"], r["patient_id"], r["invoice_status"]) for r in lines}) == 1
        (issued_at,) = issued
        status = first["invoice_status"]
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in lines:
            groups[r["appointment_id"]].append(
                {
                    "__typename": LINE_TYPES[r["item_type"]],
                    "id": r["line_id"],
                    "quantity": _quantity(r["quantity"]),
                    "currentPrice": _cents(r["unit_price"]),
                    "currentDiscountAmount": _cents(r["discount"]),
                    "currentTaxAmount": _cents(r["tax"]),
                    "staffId": r["provider_id"],
                    "service": {"id": r["service_id"]} if r["item_type"] == "service" else None,
                    "refundedOrderLineId": r["refund_of_line_id"] or None,
                }
            )
        orders.append(
            {
                "id": invoice_id,
                "number": invoice_id.rsplit("_", 1)[-1],
                "clientId": first["patient_id"],
                "locationId": first["location_id"],
                "createdAt": issued_at,
                "updatedAt": max(utc(r["updated_at"], at) for r in lines),
                "closedAt": issued_at if status == "closed" else None,
                "voidedAt": issued_at if status == "void" else None,
                "lineGroups": [
                    {"appointmentId": appointment or None, "lines": group}
                    for appointment, group in groups.items()
                ],
            }
        )
    return orders
