"""Boulevard nodes -> the canonical rows of METRICS.md section 1 (README.md beside this).

A value without a canonical meaning is kept as `boulevard:<raw>` rather than guessed, so
staging quarantines it (stg_boulevard__quarantine) with the original value in the reason.
Times stay as Boulevard sends them (ISO 8601 instants); staging converts them to the
location's zone. Money is an integer number of cents in the Admin API.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ingestion.canonical import text_columns
from ingestion.http import PayloadError, require
from ingestion.values import SERVICE_CATEGORIES

from .api import SOURCE

CATEGORIES = frozenset(SERVICE_CATEGORIES)

# Order line __typename -> canonical item_type.
ITEM_TYPES = {
    "OrderServiceLine": "service",
    "OrderProductLine": "product",
    "OrderPackageLine": "package",
    "OrderMembershipLine": "membership",
    "OrderGiftCardLine": "gift_card",
}


# Declared so optional columns exist (and stay text) even when a load has no value for them.
COLUMNS = {
    "locations": text_columns("timezone"),
    "providers": text_columns("location_id", "name", "role"),
    "services": text_columns("name", "boulevard_category"),
    "patients": text_columns("location_id", "email", "phone", "referral_source"),
    "appointments": text_columns("provider_id", "service_id", "booked_at", "cancelled_at"),
    "invoice_lines": text_columns(
        "patient_id", "provider_id", "appointment_id", "service_id", "refund_of_line_id"
    ),
}


def _what(entity: str) -> str:
    return f"{SOURCE}/{entity} record"


def _cents(value, what: str) -> Decimal:
    if value is None:
        return Decimal(0)
    if not isinstance(value, int):
        raise PayloadError(f"{SOURCE}: {what} is not a whole number of cents: {value!r}")
    return Decimal(value) / 100


def location_row(location: dict, clinic_id: str) -> dict:
    """A node of `locations`; the IANA zone is Boulevard's own (`tz`)."""
    return {
        "location_id": require(location, "id", source=SOURCE, what=_what("locations")),
        "clinic_id": clinic_id,
        "name": location.get("name"),
        "timezone": location.get("tz") or None,
    }


def provider_row(staff: dict) -> dict:
    """A node of `staff`; home location = the first location the staff member works at."""
    locations = [loc.get("id") for loc in staff.get("locations") or [] if isinstance(loc, dict)]
    name = staff.get("name") or " ".join(
        part for part in (staff.get("firstName"), staff.get("lastName")) if part
    )
    return {
        "provider_id": require(staff, "id", source=SOURCE, what=_what("providers")),
        "location_id": locations[0] if locations else None,
        "name": name or None,
        "role": (staff.get("role") or {}).get("name"),
        "active": bool(staff.get("active", True)),
    }


def canonical_category(name: str | None, overrides: dict[str, str]) -> str:
    """A Boulevard category name as a canonical category: the clinic's override, else the
    name itself when it is one ("Body Contouring" -> body_contouring), else kept raw."""
    if not name:
        return "other"
    key = name.strip().lower()
    if key in overrides:
        return overrides[key]
    slug = re.sub(r"[^a-z0-9]+", "_", key).strip("_")
    return slug if slug in CATEGORIES else f"{SOURCE}:{name.strip()}"


def service_row(service: dict, overrides: dict[str, str], consultation: re.Pattern) -> dict:
    category = (service.get("category") or {}).get("name")
    name = service.get("name")
    return {
        "service_id": require(service, "id", source=SOURCE, what=_what("services")),
        "name": name,
        "category": canonical_category(category, overrides),
        "is_consultation": bool(consultation.search(name or "")),
        "boulevard_category": category,
    }


def patient_row(client: dict) -> dict:
    """A node of `clients`. Boulevard keeps no referral source on a client."""
    return {
        "patient_id": require(client, "id", source=SOURCE, what=_what("patients")),
        "location_id": (client.get("primaryLocation") or {}).get("id"),
        "created_at": client.get("createdAt"),
        "email": client.get("email") or None,
        "phone": client.get("mobilePhone") or None,
        "referral_source": None,
        "updated_at": client.get("updatedAt") or client.get("createdAt"),
    }


def appointment_status(appointment: dict) -> str:
    """Boulevard's state and cancellation reason as a canonical status. A cancellation
    carries why: a late client cancel or a no-show used the slot; any other did not."""
    if appointment.get("cancelled") or appointment.get("state") == "CANCELLED":
        reason = (appointment.get("cancellation") or {}).get("reason")
        return {"CLIENT_LATE_CANCEL": "late_cancelled", "NO_SHOW": "no_show"}.get(
            reason, "cancelled"
        )
    state = appointment.get("state")
    if state == "FINAL":
        return "completed"
    if state in ("BOOKED", "CONFIRMED", "ARRIVED", "ACTIVE"):
        return "booked"
    return f"{SOURCE}:{state}"


def appointment_row(appointment: dict, location_id: str, extracted_at: str) -> dict:
    """A node of `appointments(locationId)`: one canonical appointment, its service and
    provider those of its first service (by start) when it books several."""
    what = _what("appointments")
    services = sorted(
        (s for s in appointment.get("appointmentServices") or [] if isinstance(s, dict)),
        key=lambda s: s.get("startAt") or "",
    )
    first = services[0] if services else {}
    status = appointment_status(appointment)
    cancellation = appointment.get("cancellation") or {}
    return {
        "appointment_id": require(appointment, "id", source=SOURCE, what=what),
        "location_id": appointment.get("locationId") or location_id,
        "patient_id": require(appointment, "clientId", source=SOURCE, what=what),
        "provider_id": (first.get("staff") or {}).get("id"),
        "service_id": (first.get("service") or {}).get("id"),
        "booked_at": appointment.get("createdAt"),
        "start_at": require(appointment, "startAt", source=SOURCE, what=what),
        "end_at": require(appointment, "endAt", source=SOURCE, what=what),
        "status": status,
        "cancelled_at": cancellation.get("cancelledAt"),
        "updated_at": extracted_at,  # no change time on an appointment: when we saw it
        "boulevard_state": appointment.get("state"),
    }


def invoice_status(order: dict) -> str:
    if order.get("voidedAt"):
        return "void"
    return "closed" if order.get("closedAt") else "open"


def invoice_line_rows(order: dict) -> list[dict]:
    """The lines of a node of `orders`, one canonical invoice line each. Amounts are per
    line in cents: `currentPrice` per unit, discount and tax for the line. A refund line
    (negative amounts) names the line it refunds."""
    what = _what("invoice_lines")
    order_id = require(order, "id", source=SOURCE, what=what)
    rows = []
    for group in order.get("lineGroups") or []:
        for line in group.get("lines") or []:
            kind = require(line, "__typename", source=SOURCE, what=what)
            quantity = Decimal(str(require(line, "quantity", source=SOURCE, what=what)))
            item_type = ITEM_TYPES.get(kind, f"{SOURCE}:{kind}")
            rows.append(
                {
                    "line_id": require(line, "id", source=SOURCE, what=what),
                    "invoice_id": order_id,
                    "location_id": order.get("locationId"),
                    "patient_id": order.get("clientId"),
                    "provider_id": line.get("staffId"),
                    "appointment_id": group.get("appointmentId"),
                    "service_id": (line.get("service") or {}).get("id"),
                    "item_type": item_type,
                    "quantity": quantity,
                    "unit_price": _cents(line.get("currentPrice"), "currentPrice"),
                    "discount": _cents(line.get("currentDiscountAmount"), "discount"),
                    "tax": _cents(line.get("currentTaxAmount"), "tax"),
                    "tip": Decimal(0),  # Boulevard books tips on the payment, not a line
                    "invoice_status": invoice_status(order),
                    "issued_at": order.get("closedAt") or order.get("createdAt"),
                    "refund_of_line_id": line.get("refundedOrderLineId"),
                    "updated_at": order.get("updatedAt"),
                    "order_number": order.get("number"),
                }
            )
    return rows
