"""Zenoti records -> the canonical rows of METRICS.md section 1 (see README.md beside this).

A value with no canonical meaning is kept as `zenoti:<raw>` rather than guessed, so
staging quarantines it with the original value in the reason.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ingestion.canonical import text_columns
from ingestion.http import PayloadError, require

SOURCE = "zenoti"

# Zenoti appointment status enum -> canonical status. None: not an appointment at all.
APPOINTMENT_STATUS = {
    -2: "no_show",  # NoShow
    -1: "cancelled",  # Cancelled (Zenoti's list does not say when, so never late_cancelled)
    0: "booked",  # New / Open
    1: "completed",  # Closed: service done and invoice closed
    2: "booked",  # Checkin: arrived, not closed yet
    4: "booked",  # Confirm
    10: None,  # Break: a block-out in the appointment book
    20: None,  # Available: an open slot
    21: "cancelled",  # Voided: the booking was voided, it did not happen
}

# Zenoti invoice status (enum or report text) -> canonical invoice_status.
INVOICE_STATUS = {
    "0": "open",
    "open": "open",
    "1": "open",
    "processed": "open",
    "2": "open",
    "campaignapplied": "open",
    "3": "open",
    "couponapplied": "open",
    "4": "closed",
    "closed": "closed",
    "99": "void",
    "voided": "void",
    "void": "void",
}

# Report item_type text -> canonical item_type, first match wins (gift before card-less words).
ITEM_TYPES = (
    ("gift", "gift_card"),
    ("prepaid", "gift_card"),
    ("membership", "membership"),
    ("package", "package"),
    ("product", "product"),
    ("service", "service"),
)

# Keywords in a Zenoti category (or service) name -> canonical services.category.
CATEGORY_KEYWORDS = (
    (r"inject|botox|dysport|filler|neurotox|toxin|kybella", "injectables"),
    (r"body|contour|sculpt|cellulite|tighten", "body_contouring"),
    (r"laser|ipl|hair removal|bbl", "laser"),
    (r"skin|facial|peel|microneedl|hydrafacial|derm|acne", "skin"),
    (r"weight|semaglutide|tirzepatide|glp", "weight_loss"),
    (r"wellness|\biv\b|vitamin|hormone|b12", "wellness"),
    (r"retail|product", "retail"),
)


# Declared so optional columns exist (and stay text) even when a load has no value for them.
COLUMNS = {
    "locations": text_columns("timezone", "code"),
    "providers": text_columns("name", "role"),
    "services": text_columns("name", "zenoti_category"),
    "patients": text_columns("created_at", "email", "phone", "referral_source"),
    "appointments": text_columns("provider_id", "booked_at", "cancelled_at", "invoice_id"),
    "invoice_lines": text_columns(
        "base_invoice_no",
        "patient_id",
        "provider_id",
        "appointment_id",
        "service_id",
        "issued_at",
        "refund_of_line_id",
        "item_name",
        "zenoti_status",
    ),
}


def _money(value, what: str) -> Decimal:
    try:
        return Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        raise PayloadError(f"{SOURCE}: {what} is not a number: {value!r}") from None


def location_row(center: dict, clinic_id: str, timezone: str | None) -> dict:
    """An item of `GET /v1/centers` `centers[]`; the clinic and zone come from config."""
    what = f"{SOURCE}/locations record"
    return {
        "location_id": require(center, "id", source=SOURCE, what=what),
        "clinic_id": clinic_id,
        "name": center.get("name"),
        "timezone": timezone,  # Zenoti has no IANA zone: it comes from config
        "code": center.get("code"),
    }


def provider_row(employee: dict, center_id: str) -> dict:
    """An item of `GET /v1/centers/{center_id}/employees` `employees[]`."""
    what = f"{SOURCE}/providers record"
    personal = employee.get("personal_info") or {}
    name = personal.get("name") or " ".join(
        part for part in (personal.get("first_name"), personal.get("last_name")) if part
    )
    return {
        "provider_id": require(employee, "id", source=SOURCE, what=what),
        "location_id": center_id,
        "name": name or None,
        "role": (employee.get("job_info") or {}).get("name"),
        "active": True,  # the center list only returns employees who can work there
    }


def canonical_category(
    category_name: str | None, service_name: str | None, overrides: dict[str, str]
) -> str:
    """Overrides by Zenoti category name first, then keywords in the category, then in the
    service name (a "Consultations" category says nothing; "Filler Consultation" does)."""
    if category_name and category_name.strip().lower() in overrides:
        return overrides[category_name.strip().lower()]
    for text in (category_name, service_name):
        for pattern, category in CATEGORY_KEYWORDS:
            if text and re.search(pattern, text, re.IGNORECASE):
                return category
    return "other"


def service_row(service: dict, overrides: dict[str, str], consultation: re.Pattern) -> dict:
    """An item of `GET /v1/centers/{center_id}/services?expand=additional_info` `services[]`."""
    what = f"{SOURCE}/services record"
    # The catalog nests the category under additional_info; appointment payloads inline it.
    category = (service.get("additional_info") or {}).get("category") or service.get("category")
    category_name = category.get("name") if isinstance(category, dict) else None
    name = service.get("name")
    return {
        "service_id": require(service, "id", source=SOURCE, what=what),
        "name": name,
        "category": canonical_category(category_name, name, overrides),
        "is_consultation": bool(consultation.search(name or "")),
        "zenoti_category": category_name,
    }


def patient_row(guest: dict, center_id: str) -> dict:
    """An item of `GET /v1/guests?center_id` `guests[]`. Only the id is required: the
    guest list documents no creation date (staging takes a guest's first appointment or
    sale instead), and the rest may be blank."""
    what = f"{SOURCE}/patients record"
    personal = guest.get("personal_info") or {}
    mobile = personal.get("mobile_phone") or {}
    referral = (guest.get("referral") or {}).get("referral_source") or {}
    return {
        "patient_id": require(guest, "id", source=SOURCE, what=what),
        "location_id": guest.get("center_id") or center_id,
        "created_at": guest.get("created_date") or None,
        "email": personal.get("email") or None,
        "phone": mobile.get("number") or mobile.get("display_number") or None,
        "referral_source": referral.get("name"),
    }


def appointment_row(appointment: dict, center_id: str, extracted_at: str) -> dict | None:
    """An item of `GET /v1/appointments` (`appointments[]` or a bare list); None for
    block-outs and open slots, which the same endpoint returns."""
    what = f"{SOURCE}/appointments record"
    code = require(appointment, "status", source=SOURCE, what=what)
    if code in APPOINTMENT_STATUS and APPOINTMENT_STATUS[code] is None:
        return None
    return {
        "appointment_id": require(appointment, "appointment_id", source=SOURCE, what=what),
        "location_id": center_id,
        "patient_id": require(appointment, "guest.id", source=SOURCE, what=what),
        "provider_id": (appointment.get("therapist") or {}).get("id"),
        "service_id": require(appointment, "service.id", source=SOURCE, what=what),
        "booked_at": appointment.get("creation_date"),
        "start_at": require(appointment, "start_time", source=SOURCE, what=what),
        "end_at": require(appointment, "end_time", source=SOURCE, what=what),
        "status": APPOINTMENT_STATUS.get(code, f"zenoti:{code}"),
        "cancelled_at": None,  # not exposed by the list endpoint
        "updated_at": extracted_at,  # Zenoti has no last-modified: the time we saw this version
        "invoice_id": appointment.get("invoice_id"),
        "zenoti_status": code,
    }


def _item_type(raw: str) -> str:
    text = raw.lower()
    return next((kind for word, kind in ITEM_TYPES if word in text), f"zenoti:{raw}")


def _invoice_status(raw) -> str:
    key = re.sub(r"[^a-z0-9]", "", str(raw).lower())
    return INVOICE_STATUS.get(key, f"zenoti:{raw}")


def _line_ids(sales: list[dict], center_id: str) -> list[str]:
    """Zenoti's own `invoice_item_id` where the row has one (stable when rows reorder or an
    item is voided); else (center, invoice number, item, n-th occurrence on the invoice)."""
    seen: dict[tuple[str, str], int] = {}
    ids = []
    for sale in sales:
        what = f"{SOURCE}/invoice_lines record"
        invoice_no = str(require(sale, "invoice_no", source=SOURCE, what=what))
        item_id = str(require(sale, "item_id", source=SOURCE, what=what))
        seen[(invoice_no, item_id)] = occurrence = seen.get((invoice_no, item_id), 0) + 1
        vendor_id = sale.get("invoice_item_id")
        ids.append(
            str(vendor_id) if vendor_id else f"{center_id}:{invoice_no}:{item_id}:{occurrence}"
        )
    return ids


def invoice_line_rows(sales: list[dict], center_id: str, extracted_at: str) -> list[dict]:
    """Rows of `POST /v1/reports/sales/accrual_basis/flat_file` `sales[]`: one center's
    rows of a run, all windows together, so that a refund (its own invoice,
    `base_invoice_no` set) points at the first line of its item on the original invoice
    when that invoice was read too; else at the minted id of that line, which is
    right whenever the report carries no `invoice_item_id`."""
    line_ids = _line_ids(sales, center_id)
    first_line: dict[tuple[str, str], str] = {}
    for sale, line_id in zip(sales, line_ids, strict=True):
        first_line.setdefault((str(sale["invoice_no"]), str(sale["item_id"])), line_id)
    rows = []
    for sale, line_id in zip(sales, line_ids, strict=True):
        what = f"{SOURCE}/invoice_lines record"
        invoice_no, item_id = str(sale["invoice_no"]), str(sale["item_id"])
        raw_type = str(require(sale, "item_type", source=SOURCE, what=what))
        quantity = _money(require(sale, "qty", source=SOURCE, what=what), "qty")
        net = _money(sale.get("sales_exc_tax"), "sales_exc_tax")
        discount = _money(sale.get("discount"), "discount")
        gross = net + discount  # the report's sales exclude tax and are net of discount
        base = sale.get("base_invoice_no")
        refund_of = first_line.get((str(base), item_id), f"{center_id}:{base}:{item_id}:1")
        item_type = _item_type(raw_type)
        rows.append(
            {
                "line_id": line_id,
                "invoice_id": require(sale, "invoice_id", source=SOURCE, what=what),
                "location_id": sale.get("center_id") or center_id,
                "patient_id": sale.get("guest_id"),
                "provider_id": sale.get("sold_by_id"),
                "appointment_id": None,  # the report does not link items to appointments
                "service_id": item_id if item_type == "service" else None,
                "item_type": item_type,
                "quantity": quantity,
                "unit_price": gross / quantity if quantity else gross,
                "discount": discount,
                "tax": _money(sale.get("tax"), "tax"),
                "tip": Decimal(0),  # Zenoti books tips on payments, not on items
                "invoice_status": _invoice_status(sale.get("status")),
                "issued_at": sale.get("invoice_date") or sale.get("sale_date"),
                "refund_of_line_id": refund_of if base else None,
                "updated_at": extracted_at,
                "invoice_no": invoice_no,
                "base_invoice_no": base,
                "item_id": item_id,
                "item_name": sale.get("item_name"),
                "net_amount": net,
                "zenoti_item_type": raw_type,
                "zenoti_status": sale.get("status"),
            }
        )
    return rows
