"""The canonical import format (METRICS.md section 1) as data: one spec per entity.

The file source validates every row against these specs; dbt staging casts the
same columns. Keep this table and METRICS.md in step; the value sets are
ingestion/values.py's.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.values import (
    APPOINTMENT_STATUSES,
    INVOICE_STATUSES,
    ITEM_TYPES,
    PLATFORMS,
    SERVICE_CATEGORIES,
)


@dataclass(frozen=True)
class Column:
    """One column of an entity: how it is checked before it may enter raw."""

    name: str
    kind: str = "text"  # text | timestamp | date | decimal | integer | boolean | timezone | enum
    required: bool = True
    values: tuple[str, ...] = ()
    # a timestamp or date that may lie ahead of the load (a schedule, a booking)
    may_be_future: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    version_column: str | None = None  # updated_at where the entity has one

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _ts(name: str, required: bool = True, may_be_future: bool = False) -> Column:
    return Column(name, "timestamp", required, may_be_future=may_be_future)


def _opt(name: str) -> Column:
    return Column(name, required=False)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "locations",
            ("location_id",),
            (
                Column("location_id"),
                Column("clinic_id"),
                Column("name"),
                Column("timezone", "timezone"),
            ),
        ),
        Entity(
            "providers",
            ("provider_id",),
            (
                Column("provider_id"),
                Column("location_id"),
                Column("name"),
                Column("role"),
                Column("active", "boolean"),
            ),
        ),
        Entity(
            "services",
            ("service_id",),
            (
                Column("service_id"),
                Column("name"),
                Column("category", "enum", values=SERVICE_CATEGORIES),
                Column("is_consultation", "boolean"),
            ),
        ),
        Entity(
            "patients",
            ("patient_id",),
            (
                Column("patient_id"),
                Column("location_id"),
                _ts("created_at"),
                _opt("email"),
                _opt("phone"),
                _opt("referral_source"),
            ),
        ),
        Entity(
            "leads",
            ("lead_id",),
            (
                Column("lead_id"),
                Column("clinic_id"),
                _ts("created_at"),
                _opt("email"),
                _opt("phone"),
                Column("platform", "enum", values=PLATFORMS),
                _opt("campaign_id"),
                _opt("utm_source"),
                _opt("utm_medium"),
                _opt("utm_campaign"),
                _opt("gclid"),
                _opt("fbclid"),
            ),
        ),
        Entity(
            "appointments",
            ("appointment_id",),
            (
                Column("appointment_id"),
                Column("location_id"),
                Column("patient_id"),
                Column("provider_id"),
                Column("service_id"),
                _ts("booked_at"),
                # upcoming bookings start in the future; rules.py bounds the rest
                _ts("start_at", may_be_future=True),
                _ts("end_at", may_be_future=True),
                Column("status", "enum", values=APPOINTMENT_STATUSES),
                _ts("cancelled_at", required=False),
                _ts("updated_at"),
            ),
            version_column="updated_at",
        ),
        Entity(
            "provider_shifts",
            ("shift_id",),
            (
                Column("shift_id"),
                Column("provider_id"),
                Column("location_id"),
                _ts("start_at", may_be_future=True),  # shifts are planned ahead
                _ts("end_at", may_be_future=True),
            ),
        ),
        Entity(
            "invoice_lines",
            ("line_id",),
            (
                Column("line_id"),
                Column("invoice_id"),
                Column("location_id"),
                Column("patient_id"),
                Column("provider_id"),
                _opt("appointment_id"),
                _opt("service_id"),
                Column("item_type", "enum", values=ITEM_TYPES),
                Column("quantity", "decimal"),
                Column("unit_price", "decimal"),
                Column("discount", "decimal"),
                Column("tax", "decimal"),
                Column("tip", "decimal"),
                Column("invoice_status", "enum", values=INVOICE_STATUSES),
                _ts("issued_at"),
                _opt("refund_of_line_id"),
                _ts("updated_at"),
            ),
            version_column="updated_at",
        ),
        Entity(
            "ad_spend",
            ("clinic_id", "date", "platform", "campaign_id"),
            (
                Column("date", "date"),
                Column("platform", "enum", values=PLATFORMS),
                Column("campaign_id"),
                Column("clinic_id"),
                Column("account_id"),
                Column("campaign_name"),
                Column("spend", "decimal"),
                Column("impressions", "integer"),
                Column("clicks", "integer"),
                Column("currency"),
            ),
        ),
    )
}
