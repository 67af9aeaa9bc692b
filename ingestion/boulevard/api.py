"""Boulevard's Admin API: one GraphQL endpoint, HTTP Basic auth with a signed token, and
Relay connections paged by cursor.

Auth (Boulevard's Admin API authentication guide; the same steps in public clients, e.g.
the `generateAuthHeader` functions quoted in ingestion/boulevard/README.md): the token
payload is `blvd-admin-v1` + business id + Unix seconds; its HMAC-SHA256 under the
base64-decoded API secret, base64-encoded, is prefixed to the payload; the Basic
credentials are `<api key>:<signature><payload>`. The timestamp is part of the signature,
so every request signs anew.

Paging: every list is a connection, `edges { node { ... } } pageInfo { hasNextPage
endCursor }`, read with `first` / `after` until `hasNextPage` is false. GraphQL answers
errors with HTTP 200 and an `errors` list: those are refused here with their message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from ingestion.http import ApiClient, PayloadError, SourceAuthError, SourceHttpError

SOURCE = "boulevard"
DEFAULT_BASE_URL = "https://dashboard.boulevard.io/api/2020-01/admin"
TOKEN_PREFIX = "blvd-admin-v1"
MAX_PAGE_SIZE = 100  # public clients page by 100; larger `first` values are refused

# The fields read per entity (names as in the Admin API reference; see README.md).
LOCATIONS = "id name tz"
STAFF = "id name firstName lastName active role { name } locations { id }"
SERVICES = "id name category { name }"
CLIENTS = "id createdAt updatedAt email mobilePhone primaryLocation { id }"
APPOINTMENTS = (
    "id clientId locationId createdAt startAt endAt state cancelled"
    " cancellation { cancelledAt reason }"
    " appointmentServices { startAt service { id } staff { id } }"
)
ORDERS = (
    "id number clientId locationId createdAt updatedAt closedAt voidedAt"
    " lineGroups { appointmentId lines { __typename id quantity currentPrice"
    " currentDiscountAmount currentTaxAmount staffId service { id } refundedOrderLineId } }"
)


def authorization(api_key: str, api_secret: str, business_id: str, now: float) -> str:
    """The `Authorization` header value at Unix time `now` (see the module docstring)."""
    payload = f"{TOKEN_PREFIX}{business_id}{int(now)}"
    raw_key = base64.b64decode(api_secret)
    digest = hmac.new(raw_key, payload.encode("utf-8"), hashlib.sha256).digest()
    token = base64.b64encode(digest).decode("ascii") + payload
    credentials = base64.b64encode(f"{api_key}:{token}".encode()).decode("ascii")
    return f"Basic {credentials}"


class SignedHeaders(Mapping[str, str]):
    """Headers whose Authorization is signed when read, i.e. once per request."""

    def __init__(self, sign: Callable[[], str]) -> None:
        self._sign = sign
        self._static = {"Accept": "application/json", "Content-Type": "application/json"}

    def __getitem__(self, key: str) -> str:
        return self._sign() if key == "Authorization" else self._static[key]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._static, "Authorization"])

    def __len__(self) -> int:
        return len(self._static) + 1


class BoulevardApi:
    def __init__(self, client: ApiClient, page_size: int = MAX_PAGE_SIZE) -> None:
        self.client = client
        self.page_size = min(page_size, MAX_PAGE_SIZE)

    def locations(self) -> Iterator[list[dict]]:
        return self._pages("locations", LOCATIONS)

    def staff(self) -> Iterator[list[dict]]:
        return self._pages("staff", STAFF)

    def services(self) -> Iterator[list[dict]]:
        return self._pages("services", SERVICES)

    def clients(self, updated_since: str | None) -> Iterator[list[dict]]:
        """Clients changed at or after `updated_since` (an ISO instant), or all of them."""
        query = f"updatedAt >= '{updated_since}'" if updated_since else None
        return self._pages("clients", CLIENTS, query=query)

    def appointments(self, location_id: str, first: date, last: date) -> Iterator[list[dict]]:
        """One location's appointments starting on first..last (UTC dates, inclusive);
        the Admin API lists appointments per location."""
        window = f"startAt >= '{first.isoformat()}' AND startAt < '{_after(last)}'"
        return self._pages(
            "appointments", APPOINTMENTS, query=window, arguments={"locationId": location_id}
        )

    def orders(self, updated_since: str) -> Iterator[list[dict]]:
        """Orders changed at or after `updated_since` (closed, voided or refunded later)."""
        return self._pages("orders", ORDERS, query=f"updatedAt >= '{updated_since}'")

    def _pages(
        self,
        connection: str,
        fields: str,
        query: str | None = None,
        arguments: dict[str, str] | None = None,
    ) -> Iterator[list[dict]]:
        """The nodes of `connection`, one list per page, following `endCursor`."""
        variables: dict[str, Any] = {"first": self.page_size, "after": None, **(arguments or {})}
        declared = ["$first: Int!", "$after: String"] + [f"${k}: ID!" for k in arguments or {}]
        passed = ["first: $first", "after: $after"] + [f"{k}: ${k}" for k in arguments or {}]
        if query is not None:
            declared.append("$query: QueryString")
            passed.append("query: $query")
            variables["query"] = query
        document = (
            f"query Read({', '.join(declared)}) {{ {connection}({', '.join(passed)}) "
            f"{{ edges {{ node {{ {fields} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        )
        seen: set[str] = set()
        while True:
            page = self._data(document, variables, connection)
            nodes = [edge.get("node") for edge in page["edges"]]
            if not all(isinstance(node, dict) for node in nodes):
                raise PayloadError(f"{SOURCE}/{connection}: an edge without a node object")
            if nodes:
                yield nodes
            info = page.get("pageInfo") or {}
            cursor = info.get("endCursor")
            if not info.get("hasNextPage"):
                return
            if not cursor or cursor in seen:  # a server repeating a cursor would loop forever
                raise PayloadError(f"{SOURCE}/{connection}: hasNextPage without a new endCursor")
            seen.add(cursor)
            variables["after"] = cursor

    def _data(self, document: str, variables: dict, connection: str) -> dict:
        body = self.client.request(
            "POST", "", json_body={"query": document, "variables": variables}
        )
        if not isinstance(body, dict):
            raise PayloadError(f"{SOURCE}/{connection}: the answer is not a JSON object")
        if body.get("errors"):
            messages = "; ".join(str(e.get("message", e)) for e in body["errors"])
            codes = {str((e.get("extensions") or {}).get("code", "")) for e in body["errors"]}
            kind = SourceAuthError if codes & {"UNAUTHENTICATED", "FORBIDDEN"} else SourceHttpError
            raise kind(f"{SOURCE}/{connection}: the API answered with errors: {messages}")
        page = (body.get("data") or {}).get(connection)
        if not isinstance(page, dict) or not isinstance(page.get("edges"), list):
            raise PayloadError(f"{SOURCE}/{connection}: expected data.{connection}.edges")
        return page


def _after(last: date) -> str:
    return (last + timedelta(days=1)).isoformat()


def signer(api_key: str, api_secret: str, business_id: str, clock=time.time) -> Callable[[], str]:
    return lambda: authorization(api_key, api_secret, business_id, clock())
