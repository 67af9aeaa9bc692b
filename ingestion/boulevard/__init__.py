"""Boulevard (booking + point of sale for med spas): locations, staff, services, clients,
appointments and orders, read from its GraphQL Admin API and landed in the canonical
shapes of METRICS.md section 1. Field mapping and the evidence for each shape: README.md.

The catalog (locations, staff, services) is small and re-read whole each run. Clients and
orders are incremental on their `updatedAt` (dlt keeps the cursor; a late close, void or
refund changes an order's `updatedAt`, so it is read again): every client on the first
run, orders from `start_date`. Appointments have no change
time: they are read per location by start date, from the last loaded day minus a
look-back (statuses change after the fact) to a horizon ahead (upcoming bookings are data).
Every table merges on its key; each GraphQL page is yielded as one list.
"""

from __future__ import annotations

import base64
import binascii
import functools
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
)
from ingestion.http import ApiClient, SourceConfigError, as_date, lookback_start

from .api import DEFAULT_BASE_URL, SOURCE, BoulevardApi, SignedHeaders, signer
from .mapping import (
    COLUMNS,
    appointment_row,
    invoice_line_rows,
    location_row,
    patient_row,
    provider_row,
    service_row,
)


def _canonical(entity: str):
    return canonical_resource(entity, COLUMNS[entity])


@dlt.source(name=SOURCE)
def boulevard_source(
    start_date: str = dlt.config.value,
    business_id: str = dlt.config.value,
    api_key: str = dlt.secrets.value,
    api_secret: str = dlt.secrets.value,
    clinic_id: str | None = None,
    location_clinics: dict[str, str] | None = None,
    base_url: str = DEFAULT_BASE_URL,
    category_map: dict[str, str] | None = None,
    consultation_pattern: str = CONSULTATION_PATTERN,
    lookback_days: int = 14,
    horizon_days: int = 60,
    page_size: int = 100,
    calls_per_minute: float = 0,
    today: str | None = None,
    max_attempts: int = 5,
    backoff_seconds: float = 1.0,
    sleep: Callable[[float], None] | None = None,
) -> list[DltResource]:
    """One Boulevard business: every location as the clinic `clinic_id`, or each location
    as its clinic in `location_clinics` ({location id: clinic id}).

    `api_secret` is the base64 secret Boulevard issues with the API key; `business_id`
    the business the key belongs to. A 429 or 5xx is retried (Retry-After honoured)."""
    dlt.current.source_schema().remove_type_detection("iso_timestamp")  # staging reads text
    setting = f"sources.{SOURCE}"
    if not clinic_id and not location_clinics:
        raise SourceConfigError(
            f"{SOURCE}: set {setting}.clinic_id (or {setting}.location_clinics per location)"
        )
    try:
        base64.b64decode(api_secret, validate=True)
    except (binascii.Error, ValueError):
        raise SourceConfigError(
            f"{SOURCE}: {setting}.api_secret is not base64: copy the secret exactly as "
            "Boulevard shows it with the API key"
        ) from None
    api = BoulevardApi(
        ApiClient(
            source=SOURCE,
            base_url=base_url,
            headers=SignedHeaders(signer(api_key, api_secret, business_id)),
            secrets=[api_key, api_secret],
            auth_hint=f"check {setting}.business_id, api_key and api_secret",
            calls_per_minute=calls_per_minute,
            max_attempts=max_attempts,
            backoff_seconds=backoff_seconds,
            sleep=sleep or time.sleep,
        ),
        page_size=page_size,
    )
    overrides = category_overrides(category_map)
    consultation = consultation_matcher(consultation_pattern)
    run_day = as_date(today or date.today())
    first_instant = f"{as_date(start_date).isoformat()}T00:00:00Z"

    @functools.cache
    def location_pages() -> tuple[tuple[dict, ...], ...]:
        return tuple(tuple(page) for page in api.locations())

    def clinic_of(location_id: str) -> str | None:
        return (location_clinics or {}).get(location_id, clinic_id)

    @_canonical("locations")
    def locations():
        for page in location_pages():
            yield [location_row(node, clinic_of(node.get("id"))) for node in page]

    @_canonical("providers")
    def providers():
        for page in api.staff():
            yield [provider_row(node) for node in page]

    @_canonical("services")
    def services():
        for page in api.services():
            yield [service_row(node, overrides, consultation) for node in page]

    @_canonical("patients")
    def patients(
        updated=dlt.sources.incremental("updated_at"),  # noqa: B008 (dlt's idiom)
    ):
        # The first run reads every client (one booked long before start_date is still a
        # patient); later runs those changed since the latest updatedAt loaded.
        for page in api.clients(updated.last_value):
            yield [patient_row(node) for node in page]

    @_canonical("appointments")
    def appointments():
        state = dlt.current.resource_state()
        first = lookback_start(state.get("last_loaded_date"), as_date(start_date), lookback_days)
        last = run_day + timedelta(days=horizon_days)
        seen_at = datetime.now(UTC).isoformat(timespec="seconds")
        for page in location_pages():
            for location in page:
                for nodes in api.appointments(location["id"], first, last):
                    yield [appointment_row(node, location["id"], seen_at) for node in nodes]
        state["last_loaded_date"] = run_day.isoformat()

    @_canonical("invoice_lines")
    def invoice_lines(
        updated=dlt.sources.incremental("updated_at", initial_value=first_instant),  # noqa: B008 (dlt's idiom)
    ):
        for page in api.orders(updated.last_value):
            yield [row for order in page for row in invoice_line_rows(order)]

    return [locations, providers, services, patients, appointments, invoice_lines]
