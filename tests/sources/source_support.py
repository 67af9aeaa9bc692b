"""Assertions shared by the source tests."""

from __future__ import annotations

from ingestion.http import SourceError


def source_error(exc: BaseException) -> SourceError:
    """The SourceError that dlt wrapped (PipelineStepFailed -> ResourceExtractionError -> ...)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SourceError):
            return seen
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "exception", None)
    raise AssertionError(f"no SourceError in the chain of {exc!r}")


def assert_no_secret(text: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s in text]
    assert not leaked, f"secrets leaked: {leaked}"


# METRICS.md section 1: the columns each canonical entity must carry (key included).
CANONICAL_COLUMNS = {
    "locations": {"location_id", "clinic_id", "name", "timezone"},
    "providers": {"provider_id", "location_id", "name", "role", "active"},
    "services": {"service_id", "name", "category", "is_consultation"},
    "patients": {"patient_id", "location_id", "created_at", "email", "phone", "referral_source"},
    "leads": {
        "lead_id", "clinic_id", "created_at", "email", "phone", "platform", "campaign_id",
        "utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid",
    },
    "appointments": {
        "appointment_id", "location_id", "patient_id", "provider_id", "service_id", "booked_at",
        "start_at", "end_at", "status", "cancelled_at", "updated_at",
    },
    "invoice_lines": {
        "line_id", "invoice_id", "location_id", "patient_id", "provider_id", "appointment_id",
        "service_id", "item_type", "quantity", "unit_price", "discount", "tax", "tip",
        "invoice_status", "issued_at", "refund_of_line_id", "updated_at",
    },
    "ad_spend": {
        "date", "platform", "campaign_id", "clinic_id", "account_id", "campaign_name", "spend",
        "impressions", "clicks", "currency",
    },
}  # fmt: skip


def missing_canonical_columns(query, dataset: str, table: str) -> set[str]:
    present = query(
        "select column_name from information_schema.columns "
        f"where table_schema = '{dataset}' and table_name = '{table}'"
    )
    return CANONICAL_COLUMNS[table] - {name for (name,) in present}
