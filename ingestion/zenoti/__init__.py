"""Zenoti (booking + EMR/POS): locations, providers, services, patients, appointments and
invoice lines, in the canonical shapes of METRICS.md section 1. Field mapping: README.md.

Catalog-like entities are small and re-read whole each run. Appointments and invoice
lines are read per center in windows of at most seven days (Zenoti's limit), from the
last loaded day minus a look-back (statuses, voids and refunds change after the fact);
appointments also read ahead, because upcoming bookings are data too.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import dlt
from dlt.extract.resource import DltResource

from ingestion.canonical import (
    CONSULTATION_PATTERN,
    canonical_resource,
    category_overrides,
    consultation_matcher,
    key_of,
)
from ingestion.http import ApiClient, SourceConfigError, as_date, date_windows, lookback_start
from ingestion.zenoti.api import MAX_WINDOW_DAYS, SOURCE, ZenotiApi
from ingestion.zenoti.mapping import (
    COLUMNS,
    appointment_row,
    invoice_line_rows,
    location_row,
    patient_row,
    provider_row,
    service_row,
)

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.zenoti.com"


def _canonical(entity: str):
    return canonical_resource(entity, COLUMNS[entity])


def _merge(entity: str, rows) -> list[dict]:
    """One row per key in a run (a record can appear under two centers or windows)."""
    return list({row[key_of(entity)]: row for row in rows}.values())


@dlt.source(name=SOURCE)
def zenoti_source(
    start_date: str = dlt.config.value,
    api_key: str = dlt.secrets.value,
    clinic_id: str | None = None,
    centers: list[dict] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    center_ids: list[str] | None = None,
    default_timezone: str | None = None,
    center_timezones: dict[str, str] | None = None,
    category_map: dict[str, str] | None = None,
    consultation_pattern: str = CONSULTATION_PATTERN,
    lookback_days: int = 14,
    horizon_days: int = 60,
    page_size: int = 100,
    calls_per_minute: float = 60,
    today: str | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 1.0,
    sleep: Callable[[float], None] | None = None,
) -> list[DltResource]:
    """The centers of one Zenoti organization: `centers` ([{"center_id": .., "clinic_id":
    .., "timezone": ..}, ...], each center with its clinic, and its IANA zone unless
    `center_timezones` / `default_timezone` give it), or all centers (or `center_ids`) as
    the one clinic `clinic_id`.

    Requests are paced at `calls_per_minute` (Zenoti's standard limit is 60 a minute; 0
    turns pacing off), and a 429 waits its Retry-After or RateLimit-Reset."""
    dlt.current.source_schema().remove_type_detection("iso_timestamp")
    api = ZenotiApi(
        ApiClient(
            source=SOURCE,
            base_url=base_url,
            headers={"Authorization": f"apikey {api_key}", "Accept": "application/json"},
            secrets=[api_key],
            auth_hint=(
                f"generate a new API key for the backend app and set sources.{SOURCE}.api_key"
            ),
            calls_per_minute=calls_per_minute,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            sleep=sleep or time.sleep,
        ),
        page_size=page_size,
    )
    clinic_of, zones = _center_clinics(centers, clinic_id, center_ids, center_timezones)
    overrides = category_overrides(category_map)
    consultation = consultation_matcher(consultation_pattern)
    run_day = as_date(today or date.today())

    @functools.cache
    def listed_centers() -> tuple[dict, ...]:
        wanted = set(clinic_of) if centers else set(center_ids or ())
        return tuple(c for c in api.centers() if not wanted or c.get("id") in wanted)

    def extracted_at() -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")

    def window(resource: str, last: date):
        state = dlt.current.resource_state()
        first = lookback_start(state.get("last_loaded_date"), as_date(start_date), lookback_days)
        for center in listed_centers():
            for window_first, window_last in date_windows(first, last, MAX_WINDOW_DAYS):
                yield center["id"], window_first, window_last
        logger.info("%s/%s: read %s .. %s", SOURCE, resource, first, last)

    @_canonical("locations")
    def locations():
        yield [
            location_row(
                c, clinic_of.get(c.get("id"), clinic_id), zones.get(c.get("id"), default_timezone)
            )
            for c in listed_centers()
        ]

    @_canonical("providers")
    def providers():
        # An employee listed at several centers keeps the first as home location.
        rows = [provider_row(e, c["id"]) for c in listed_centers() for e in api.employees(c["id"])]
        yield _merge("providers", reversed(rows))

    @_canonical("services")
    def services():
        rows = (
            service_row(s, overrides, consultation)
            for c in listed_centers()
            for s in api.services(c["id"])
        )
        yield _merge("services", rows)

    @_canonical("patients")
    def patients():
        yield _merge(
            "patients",
            (patient_row(g, c["id"]) for c in listed_centers() for g in api.guests(c["id"])),
        )

    @_canonical("appointments")
    def appointments():
        seen_at = extracted_at()
        rows, skipped = [], 0
        for center_id, first, last in window("appointments", run_day + timedelta(horizon_days)):
            for item in api.appointments(center_id, first, last):
                row = appointment_row(item, center_id, seen_at)
                if row is None:
                    skipped += 1
                else:
                    rows.append(row)
        if skipped:
            logger.info("%s/appointments: skipped %d block-outs/open slots", SOURCE, skipped)
        yield _merge("appointments", rows)
        dlt.current.resource_state()["last_loaded_date"] = run_day.isoformat()

    @_canonical("invoice_lines")
    def invoice_lines():
        seen_at = extracted_at()
        sales: dict[str, list[dict]] = {}
        for center_id, first, last in window("invoice_lines", run_day):
            sales.setdefault(center_id, []).extend(api.sales(center_id, first, last))
        rows = [
            row
            for center_id, items in sales.items()
            for row in invoice_line_rows(items, center_id, seen_at)
        ]
        yield _merge("invoice_lines", rows)
        dlt.current.resource_state()["last_loaded_date"] = run_day.isoformat()

    return [locations, providers, services, patients, appointments, invoice_lines]


def _center_clinics(
    centers: list[dict] | None,
    clinic_id: str | None,
    center_ids: list[str] | None,
    center_timezones: dict[str, str] | None,
) -> tuple[dict[str, str], dict[str, str]]:
    """center id -> clinic id, and center id -> IANA zone, from `centers`; or nothing to
    map when every center belongs to `clinic_id`."""
    setting = f"sources.{SOURCE}"
    zones = dict(center_timezones or {})
    if not centers:
        if not clinic_id:
            raise SourceConfigError(
                f"{SOURCE}: set {setting}.centers (or {setting}.clinic_id for one clinic)"
            )
        return {}, zones
    if center_ids:
        raise SourceConfigError(
            f"{SOURCE}: set {setting}.centers or {setting}.center_ids, not both"
        )
    clinic_of: dict[str, str] = {}
    for n, entry in enumerate(centers, start=1):
        if not isinstance(entry, dict) or not entry.get("center_id") or not entry.get("clinic_id"):
            raise SourceConfigError(
                f"{SOURCE}: center {n} of {setting}.centers needs `center_id` and `clinic_id`"
            )
        center = str(entry["center_id"])
        if center in clinic_of:
            raise SourceConfigError(
                f"{SOURCE}: center {center} is listed twice in {setting}.centers"
            )
        clinic_of[center] = str(entry["clinic_id"])
        if entry.get("timezone"):
            zones.setdefault(center, str(entry["timezone"]))
    return clinic_of, zones
