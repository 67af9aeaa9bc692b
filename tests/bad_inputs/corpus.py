"""The bad-input corpus: small export files, each with one kind of defect, and what the
pipeline must do with it.

- "error":      the file is refused whole; the message names the file (and the row and
                column where there is one) and the quarantine holds row 0 for it.
- "quarantine": the bad row goes to the quarantine with a reason naming the column (and
                the value); the file's good row still loads.
- "staging":    a rule across entities (an unknown foreign key, a refund pointing nowhere):
                staging refuses the row into stg_files__quarantine (stage 'staging').
- "accepted":   looks odd, is valid: every row loads, nothing is quarantined.

Rows are built from one valid row per entity; a case replaces some values. Files are
written by `write_case` (they are generated, not committed: the 10 MB field and the
dates relative to today would not keep in git).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ingestion.files import ENTITIES

IN_30_DAYS = f"{date.today() + timedelta(days=30)}T10:00:00"
IN_400_DAYS = f"{date.today() + timedelta(days=400)}T10:00:00"

VALID: dict[str, dict[str, str]] = {
    "locations": {
        "location_id": "loc_1",
        "clinic_id": "clin_1",
        "name": "Main",
        "timezone": "America/Denver",
    },
    "providers": {
        "provider_id": "prov_1",
        "location_id": "loc_1",
        "name": "Avery Lindqvist",
        "role": "Nurse Injector",
        "active": "true",
    },
    "services": {
        "service_id": "svc_1",
        "name": "Botox",
        "category": "injectables",
        "is_consultation": "false",
    },
    "patients": {
        "patient_id": "pat_1",
        "location_id": "loc_1",
        "created_at": "2025-02-01T09:00:00",
        "email": "",
        "phone": "",
        "referral_source": "friend",
    },
    "leads": {
        "lead_id": "lead_1",
        "clinic_id": "clin_1",
        "created_at": "2025-02-01T09:00:00Z",
        "email": "",
        "phone": "",
        "platform": "google_ads",
        "campaign_id": "g_1",
        "utm_source": "google",
        "utm_medium": "cpc",
        "utm_campaign": "brand",
        "gclid": "",
        "fbclid": "",
    },
    "appointments": {
        "appointment_id": "apt_1",
        "location_id": "loc_1",
        "patient_id": "pat_1",
        "provider_id": "prov_1",
        "service_id": "svc_1",
        "booked_at": "2025-02-20T10:00:00",
        "start_at": "2025-03-01T10:00:00",
        "end_at": "2025-03-01T11:00:00",
        "status": "completed",
        "cancelled_at": "",
        "updated_at": "2025-03-01T12:00:00",
    },
    "provider_shifts": {
        "shift_id": "shift_1",
        "provider_id": "prov_1",
        "location_id": "loc_1",
        "start_at": "2025-03-01T08:00:00",
        "end_at": "2025-03-01T17:00:00",
    },
    "invoice_lines": {
        "line_id": "line_1",
        "invoice_id": "inv_1",
        "location_id": "loc_1",
        "patient_id": "pat_1",
        "provider_id": "prov_1",
        "appointment_id": "apt_1",
        "service_id": "svc_1",
        "item_type": "service",
        "quantity": "1",
        "unit_price": "250.00",
        "discount": "0.00",
        "tax": "0.00",
        "tip": "0.00",
        "invoice_status": "closed",
        "issued_at": "2025-03-01T12:00:00",
        "refund_of_line_id": "",
        "updated_at": "2025-03-01T12:30:00",
    },
    "ad_spend": {
        "date": "2025-03-01",
        "platform": "google_ads",
        "campaign_id": "g_1",
        "clinic_id": "clin_1",
        "account_id": "acct_1",
        "campaign_name": "Brand",
        "spend": "12.50",
        "impressions": "100",
        "clicks": "5",
        "currency": "USD",
    },
}


def csv_line(values: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values)  # quotes a value with a line break
    return out.getvalue()[:-1]


def header(entity: str) -> str:
    return ",".join(ENTITIES[entity].column_names)


def row(entity: str, key_suffix: str = "", **changes: str) -> str:
    """The valid row of `entity` with its key made unique by `key_suffix`, then `changes`."""
    values = dict(VALID[entity])
    for k in ENTITIES[entity].key:
        if k not in ("date", "platform"):
            values[k] = values[k] + key_suffix
    values.update(changes)
    return csv_line([values[c] for c in ENTITIES[entity].column_names])


@dataclass(frozen=True)
class Case:
    kind: str
    entity: str
    outcome: str  # error | quarantine | staging | accepted
    expect: tuple[str, ...]  # fragments of the error message or the quarantine reason
    lines: tuple[str, ...] = ()  # the file's text lines (header first)
    raw: bytes | None = None  # or the file's exact bytes
    row: int | None = None  # the quarantined row (quarantine, staging)
    file_name: str = ""  # default <entity>_<kind>.csv
    loaded: int = 1  # rows that must load (quarantine, accepted)
    notes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.file_name or f"{self.entity}_{self.kind}.csv"

    def content(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return ("\n".join(self.lines) + "\n").encode("utf-8")


def bad_row(
    kind: str, entity: str, reason: str | tuple[str, ...], *, loaded: int = 1, **changes: str
) -> Case:
    """A file of a good row (row 1) and a row with `changes` (row 2) that is quarantined."""
    return Case(
        kind,
        entity,
        "quarantine",
        (reason,) if isinstance(reason, str) else reason,
        (header(entity), row(entity, "_ok"), row(entity, "_bad", **changes)),
        row=2,
        loaded=loaded,
    )


def refused(kind: str, entity: str, expect: tuple[str, ...], raw: bytes, name: str = "") -> Case:
    return Case(kind, entity, "error", expect, raw=raw, file_name=name)


def _text(entity: str, *rows: str) -> bytes:
    return ("\n".join((header(entity), *rows)) + "\n").encode("utf-8")


_PATIENT_LATIN1 = (header("patients") + "\n" + row("patients", "_ok") + "\n").encode() + (
    row("patients", "_bad", referral_source="Café Nuvo") + "\n"
).encode("latin-1")
_NO_STATUS = ",".join(c for c in ENTITIES["appointments"].column_names if c != "status")
_TEN_MB = "x" * (10 * 1024 * 1024)

ERRORS = [
    refused(
        "latin1_encoding",
        "patients",
        ("patients_latin1_encoding.csv", "not UTF-8", "data row 2", "column referral_source"),
        _PATIENT_LATIN1,
    ),
    refused(
        "utf16_encoding",
        "services",
        ("services_utf16_encoding.csv", "UTF-16"),
        _text("services", row("services", "_a")).decode().encode("utf-16"),
    ),
    refused(
        "missing_required_column",
        "appointments",
        ("appointments_missing_required_column.csv", "missing required column(s) status"),
        (_NO_STATUS + "\n" + "a,b,c,d,e,f,g,h,i,j\n").encode(),
    ),
    refused(
        "duplicate_header_column",
        "services",
        ("services_duplicate_header_column.csv", "name appear twice"),
        b"service_id,name,category,is_consultation,name\nsvc_9,A,laser,false,B\n",
    ),
    refused("empty_file", "locations", ("locations_empty_file.csv", "empty file"), b""),
    refused(
        "semicolon_delimited",
        "locations",
        ("locations_semicolon_delimited.csv", "missing required column(s)", "timezone"),
        b"location_id;clinic_id;name;timezone\nloc_9;clin_1;Main;America/Denver\n",
    ),
    refused(
        "unrecognized_file_name",
        "(unrecognized)",
        ("appointmnets_2025-03.csv", "matches no entity"),
        _text("appointments", row("appointments", "_typo")),
        name="appointmnets_2025-03.csv",
    ),
]

QUARANTINED = [
    Case(
        "truncated_last_line",
        "appointments",
        "quarantine",
        ("expected 11 fields, got 4",),
        (header("appointments"), row("appointments", "_ok"), "apt_cut,loc_1,pat_1,prov_1"),
        row=2,
    ),
    Case(
        "unterminated_quote",
        "providers",
        "quarantine",
        ("expected 5 fields, got 2",),
        (header("providers"), row("providers", "_ok"), 'prov_q,"loc_1,Avery'),
        row=2,
    ),
    Case(
        "extra_field_in_row",
        "services",
        "quarantine",
        ("expected 4 fields, got 5",),
        (header("services"), row("services", "_ok"), row("services", "_bad") + ",surplus"),
        row=2,
    ),
    bad_row(
        "unparseable_timestamp",
        "appointments",
        "unparseable timestamp in start_at: 'yesterday'",
        start_at="yesterday",
    ),
    bad_row(
        "impossible_date",
        "appointments",
        "unparseable timestamp in booked_at: '2025-02-30T10:00:00'",
        booked_at="2025-02-30T10:00:00",
    ),
    bad_row(
        "impossible_time",
        "invoice_lines",
        "unparseable timestamp in issued_at: '2025-03-01T25:61:00'",
        issued_at="2025-03-01T25:61:00",
    ),
    bad_row(
        "us_date_format",
        "patients",
        "unparseable timestamp in created_at: '03/01/2025'",
        created_at="03/01/2025",
    ),
    bad_row(
        "zone_name_instead_of_offset",
        "leads",
        "not an ISO 8601 timestamp in created_at: '2025-03-01 10:00:00 America/Denver'",
        created_at="2025-03-01 10:00:00 America/Denver",
    ),
    bad_row(
        "infinity_timestamp",
        "invoice_lines",
        "not an ISO 8601 timestamp in updated_at: 'infinity'",
        updated_at="infinity",
    ),
    bad_row(
        "placeholder_date",
        "patients",
        "timestamp before 1980-01-01 in created_at: '1900-01-01'",
        created_at="1900-01-01",
    ),
    bad_row(
        "invoice_in_the_future",
        "invoice_lines",
        "timestamp in the future in issued_at: '2099-01-01T10:00:00'",
        issued_at="2099-01-01T10:00:00",
    ),
    bad_row(
        "completed_visit_in_the_future",
        "appointments",
        f"completed appointment starts in the future: start_at '{IN_30_DAYS}'",
        start_at=IN_30_DAYS,
        end_at=IN_30_DAYS.replace("T10", "T11"),
    ),
    bad_row(
        "booking_years_ahead",
        "appointments",
        "timestamp more than 2 years ahead in start_at: '2099-03-01T10:00:00'",
        status="booked",
        start_at="2099-03-01T10:00:00",
        end_at="2099-03-01T11:00:00",
    ),
    bad_row(
        "unknown_timezone",
        "locations",
        "unknown timezone in timezone: 'Mars/Olympus'",
        timezone="Mars/Olympus",
    ),
    bad_row("unknown_status", "appointments", "unknown status: 'showed'", status="showed"),
    bad_row(
        "unknown_item_type", "invoice_lines", "unknown item_type: 'voucher'", item_type="voucher"
    ),
    bad_row(
        "unknown_invoice_status",
        "invoice_lines",
        "unknown invoice_status: 'paid'",
        invoice_status="paid",
    ),
    bad_row(
        "unknown_category", "services", "unknown category: 'aesthetics'", category="aesthetics"
    ),
    bad_row("unknown_platform", "ad_spend", "unknown platform: 'bing_ads'", platform="bing_ads"),
    bad_row("not_a_boolean", "providers", "not true/false in active: 'yes'", active="yes"),
    bad_row("fractional_count", "ad_spend", "unparseable integer in clicks: '1.5'", clicks="1.5"),
    bad_row(
        "count_overflow",
        "ad_spend",
        "unparseable integer in impressions: '99999999999999999999'",
        impressions="99999999999999999999",
        campaign_id="g_overflow",
    ),
    bad_row(
        "currency_symbol",
        "invoice_lines",
        "unparseable number in unit_price: '$1,200.00'",
        unit_price="$1,200.00",
    ),
    bad_row(
        "thousands_separator",
        "ad_spend",
        "unparseable number in spend: '1,200.50'",
        spend="1,200.50",
        campaign_id="g_sep",
    ),
    bad_row(
        "decimal_comma",
        "invoice_lines",
        "unparseable number in discount: '12,5'",
        discount="12,5",
    ),
    bad_row(
        "amount_overflow",
        "invoice_lines",
        "unparseable number in unit_price: '1e30'",
        unit_price="1e30",
    ),
    bad_row(
        "negative_quantity_without_refund_link",
        "invoice_lines",
        "negative quantity without refund_of_line_id: '-1'",
        quantity="-1",
    ),
    bad_row(
        "negative_price_without_refund_link",
        "invoice_lines",
        "negative unit_price without refund_of_line_id: '-250.00'",
        unit_price="-250.00",
    ),
    bad_row(
        "negative_spend", "ad_spend", "negative spend: '-5.00'", spend="-5.00", campaign_id="g_neg"
    ),
    bad_row(
        "spreadsheet_formula",
        "providers",
        'spreadsheet formula in name: \'=HYPERLINK("http://evil.example","Avery")\'',
        name='=HYPERLINK("http://evil.example","Avery")',
    ),
    bad_row(
        "dde_payload",
        "leads",
        "spreadsheet formula in utm_source: '+cmd|' /C calc'!A0'",
        utm_source="+cmd|' /C calc'!A0",
    ),
    bad_row(
        "appointment_ends_before_it_starts",
        "appointments",
        "end_at before start_at: '2025-03-01T09:00:00' < '2025-03-01T10:00:00'",
        end_at="2025-03-01T09:00:00",
    ),
    bad_row(
        "shift_ends_before_it_starts",
        "provider_shifts",
        "end_at before start_at",
        end_at="2025-03-01T07:00:00",
    ),
    bad_row(
        "ten_megabyte_field",
        "patients",
        f"value too long in referral_source ({len(_TEN_MB)} chars)",
        referral_source=_TEN_MB,
    ),
    bad_row("missing_key", "appointments", "missing key appointment_id", appointment_id=""),
    bad_row("missing_required_value", "appointments", "missing value in status", status=""),
    Case(
        "conflicting_duplicate_key",
        "services",
        "quarantine",
        ("duplicate service_id 'svc_1_dup' with other values in this file (row 3 is kept)",),
        (
            header("services"),
            row("services", "_dup", name="Botox"),
            row("services", "_ok"),
            row("services", "_dup", name="Dysport"),
        ),
        row=1,
        loaded=2,
    ),
    Case(
        "conflicting_versions_same_updated_at",
        "appointments",
        "quarantine",
        ("duplicate appointment_id 'apt_1_dup' with other values in this file (row 2 is kept)",),
        (
            header("appointments"),
            row("appointments", "_dup", status="completed"),
            row("appointments", "_dup", status="no_show"),
        ),
        row=1,
        loaded=1,
    ),
]

ACCEPTED = [
    Case(
        "utf8_byte_order_mark",
        "locations",
        "accepted",
        (),
        raw=b"\xef\xbb\xbf" + _text("locations", row("locations", "_bom")),
    ),
    Case(
        "crlf_line_endings",
        "services",
        "accepted",
        (),
        raw=_text("services", row("services", "_crlf")).replace(b"\n", b"\r\n"),
    ),
    Case(
        "header_in_other_case_with_spaces",
        "locations",
        "accepted",
        (),
        raw=(b" Location_ID ,Clinic_ID,NAME,TimeZone\nloc_case,clin_1,Main,America/Denver\n"),
    ),
    Case(
        "extra_column_is_reported",
        "providers",
        "accepted",
        ("notes",),
        (header("providers") + ",notes", row("providers", "_extra") + ",likes mornings"),
    ),
    Case(
        "quoted_newline_in_text",
        "providers",
        "accepted",
        (),
        (header("providers"), row("providers", "_nl", name="Avery\nLindqvist")),
    ),
    Case("header_only", "invoice_lines", "accepted", (), (header("invoice_lines"),), loaded=0),
    Case(
        "upcoming_booking",
        "appointments",
        "accepted",
        (),
        (
            header("appointments"),
            row(
                "appointments",
                "_upcoming",
                status="booked",
                start_at=IN_30_DAYS,
                end_at=IN_30_DAYS.replace("T10", "T11"),
            ),
            row(
                "appointments",
                "_next_year",
                status="booked",
                start_at=IN_400_DAYS,
                end_at=IN_400_DAYS.replace("T10", "T11"),
            ),
        ),
        loaded=2,
    ),
    Case(
        "mixed_timestamp_forms",
        "appointments",
        "accepted",
        (),
        (
            header("appointments"),
            row(
                "appointments",
                "_forms",
                start_at="2025-03-01T17:00:00Z",
                end_at="2025-03-01T10:45:00",  # 10:45 Denver = 17:45Z: after the start
            ),
        ),
    ),
    Case(
        "phone_with_plus",
        "patients",
        "accepted",
        (),
        (header("patients"), row("patients", "_phone", phone="+1 (303) 555-0142")),
    ),
]

CASES = ERRORS + QUARANTINED + ACCEPTED


def write_cases(folder: Path, cases: list[Case]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases:
        (folder / case.name).write_bytes(case.content())
