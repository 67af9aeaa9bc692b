"""The Great Expectations suites, as data: for each raw and staging table, the query
that reads it (times compared with "now" in SQL, so the rules stay fixed) and the rules,
each with the severity its failure carries. gx_runner turns a Rule into a GX Core
expectation, so importing this module does not import Great Expectations.

Raw suites re-check the loader's contract from the entity spec (keys, required values,
value sets, ISO timestamps, one row per key version); staging suites check what the
marts rely on (keys, value sets, ranges, end after start, nothing held in the future,
hashed contact data). Email and phone are never read, so no example value is personal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingestion import registry
from ingestion.files import ENTITIES
from ingestion.files.entities import Entity
from ingestion.files.rules import FUTURE_TOLERANCE, ISO_TIMESTAMP
from ingestion.values import (
    APPOINTMENT_STATUSES,
    INVOICE_STATUSES,
    ITEM_TYPES,
    PAST_STATUSES,
    PLATFORMS,
    sql_list,
)
from ingestion.values import SERVICE_CATEGORIES as CATEGORIES

from .outcome import Severity
from .warehouse import Connection, sample

if TYPE_CHECKING:  # pandas is imported when a frame is read, not when the graph loads
    import pandas as pd

PERSONAL_COLUMNS = frozenset({"email", "phone"})
_HASH = "^[0-9a-f]{64}$"  # sha256 hex: what staging keeps of an email or phone
_AHEAD = f"cast(now() as timestamp) + interval '{FUTURE_TOLERANCE}'"


@dataclass(frozen=True)
class Rule:
    expectation: str  # a class of gx.expectations, e.g. "ExpectColumnValuesToBeInSet"
    kwargs: dict[str, Any]
    severity: Severity = "ERROR"
    why: str = ""


@dataclass(frozen=True)
class Suite:
    asset_key: tuple[str, ...]
    relation: str  # schema.table
    select: str  # the select list read from the relation
    rules: list[Rule] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "__".join(self.asset_key)


def read_frame(con: Connection, suite: Suite, max_rows: int) -> tuple[pd.DataFrame, str]:
    """The suite's rows as a DataFrame; above max_rows a repeatable random sample."""
    total = con.execute(f"select count(*) from {suite.relation}").fetchall()[0][0]
    sql = f"select {suite.select} from {suite.relation}"
    note = ""
    if total > max_rows:
        sql = sample(con, suite.select, suite.relation, max_rows)
        note = f" (a sample of {max_rows:,} of {total:,} rows)"
    return con.execute(sql).df(), note


# ---- rule helpers -------------------------------------------------------------------


def not_null(column: str, severity: Severity = "ERROR", why: str = "") -> Rule:
    return Rule("ExpectColumnValuesToNotBeNull", {"column": column}, severity, why)


def unique(*columns: str, why: str = "one row per key") -> Rule:
    if len(columns) == 1:
        return Rule("ExpectColumnValuesToBeUnique", {"column": columns[0]}, "ERROR", why)
    return Rule("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)}, "ERROR", why)


def in_set(column: str, values: tuple[str, ...] | list[str], why: str = "") -> Rule:
    return Rule(
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": list(values)},
        "ERROR",
        why or "METRICS.md value set",
    )


def at_least(column: str, minimum: float, severity: Severity = "ERROR", why: str = "") -> Rule:
    return Rule(
        "ExpectColumnValuesToBeBetween", {"column": column, "min_value": minimum}, severity, why
    )


def between(column: str, low: float, high: float, severity: Severity, why: str) -> Rule:
    return Rule(
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": low, "max_value": high},
        severity,
        why,
    )


def at_most(column: str, maximum: float, severity: Severity = "ERROR", why: str = "") -> Rule:
    return Rule(
        "ExpectColumnValuesToBeBetween", {"column": column, "max_value": maximum}, severity, why
    )


def matches(column: str, pattern: str, why: str, severity: Severity = "ERROR") -> Rule:
    kwargs = {"column": column, "regex": pattern}
    return Rule("ExpectColumnValuesToMatchRegex", kwargs, severity, why)


def not_before(
    later: str, earlier: str, severity: Severity = "ERROR", why: str = "ends after it starts"
) -> Rule:
    return Rule(
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        severity,
        why,
    )


def never_set(column: str, why: str, severity: Severity = "ERROR") -> Rule:
    """For a derived column that holds a value only where a row breaks a rule."""
    return Rule("ExpectColumnValuesToBeNull", {"column": column}, severity, why)


def in_future(column: str, condition: str = "true", value: str | None = None) -> str:
    """A select item `<column>_in_future`: the value (default: the column) where it lies
    ahead of now beyond the tolerance, else NULL."""
    value = value or column
    return f"case when {condition} and {value} > {_AHEAD} then {value} end as {column}_in_future"


def no_future(column: str) -> Rule:
    return never_set(f"{column}_in_future", f"{column} not after now + {FUTURE_TOLERANCE}")


# ---- raw: the loader's contract, from the entity spec -------------------------------


def raw_suite(entity: Entity) -> Suite:
    """Reads only the columns a rule is about (free text, amounts and links stay in the
    warehouse): the read of a sample is most of a suite's time at volume."""
    kinds = {c.name: c for c in entity.columns}
    read = [
        c
        for c in entity.column_names
        if c not in PERSONAL_COLUMNS
        and (
            c in entity.key
            or kinds[c].required
            or kinds[c].kind in ("enum", "boolean", "timestamp")
        )
    ]
    select = [
        f"lower(trim({c})) as {c}"
        if kinds[c].kind in ("enum", "boolean")
        else f"nullif(trim({c}), '') as {c}"
        for c in read
    ] + ["_file_name", "_row_number"]
    rules = [
        not_null(c, why="the loader quarantines a row without it")
        for c in read
        if kinds[c].required
    ]
    rules.append(unique(*entity.key, "_file_name", "_row_number", why="one row per file row"))
    for c in read:
        col = kinds[c]
        if col.kind == "enum":
            rules.append(in_set(c, col.values))
        elif col.kind == "boolean":
            rules.append(in_set(c, ("true", "false"), why="true or false"))
        elif col.kind == "timestamp":
            rules.append(matches(c, f"^{ISO_TIMESTAMP}$", "ISO 8601, as staging reads it"))
    key = ("raw", "files", entity.name)
    return Suite(key, f"raw_files.{entity.name}", ", ".join(select), rules)


RAW_SUITES = [raw_suite(e) for e in ENTITIES.values()]


# ---- staging: what the marts rely on ---------------------------------------------------


def _staging(entity: str, select: list[str], rules: list[Rule]) -> list[Suite]:
    """The entity's suite on every source's staged table of it (ingestion/registry.py):
    each lands the canonical columns, so one set of rules serves them all."""
    return [
        Suite(("staging", model), f"staging.{model}", ", ".join(select), rules)
        for model in (f"stg_{source}__{entity}" for source in registry.carriers()[entity])
    ]


_TENANT = "every row belongs to a clinic (its location is known)"

_STAGING = [
    _staging(
        "locations",
        ["location_id", "clinic_id", "timezone"],
        [unique("location_id"), not_null("clinic_id"), not_null("timezone")],
    ),
    _staging(
        "providers",
        ["provider_id", "clinic_id", "is_active"],
        [unique("provider_id"), not_null("clinic_id", why=_TENANT), not_null("is_active")],
    ),
    _staging(
        "services",
        ["service_id", "category", "is_consultation"],
        [unique("service_id"), in_set("category", CATEGORIES), not_null("is_consultation")],
    ),
    _staging(
        "patients",
        ["patient_id", "clinic_id", "email_hash", "phone_hash", in_future("created_at")],
        [
            unique("patient_id"),
            not_null("clinic_id", why=_TENANT),
            matches("email_hash", _HASH, "only a hash of the email leaves staging"),
            matches("phone_hash", _HASH, "only a hash of the phone leaves staging"),
            no_future("created_at"),
        ],
    ),
    _staging(
        "leads",
        [
            "lead_id",
            "clinic_id",
            "platform",
            "created_at",
            "email_hash",
            "phone_hash",
            in_future("created_at"),
        ],
        [
            unique("lead_id"),
            not_null("clinic_id"),
            not_null("created_at"),
            in_set("platform", PLATFORMS),
            matches("email_hash", _HASH, "only a hash of the email leaves staging"),
            matches("phone_hash", _HASH, "only a hash of the phone leaves staging"),
            no_future("created_at"),
        ],
    ),
    _staging(
        "appointments",
        [
            "appointment_id",
            "clinic_id",
            "patient_id",
            "provider_id",
            "service_id",
            "status",
            "start_at",
            "end_at",
            in_future("start_at", f"status in {sql_list(PAST_STATUSES)}"),
            in_future("booked_at"),
            in_future("updated_at"),
        ],
        [
            unique("appointment_id"),
            not_null("clinic_id", why=_TENANT),
            not_null("patient_id"),
            not_null("provider_id"),
            not_null("service_id"),
            not_null("start_at"),
            in_set("status", APPOINTMENT_STATUSES),
            not_before("end_at", "start_at"),
            never_set(
                "start_at_in_future",
                "a completed or no-show visit has happened (an upcoming booking may be ahead)",
            ),
            no_future("booked_at"),
            no_future("updated_at"),
        ],
    ),
    _staging(
        "provider_shifts",
        ["shift_id", "clinic_id", "start_at", "end_at", "shift_minutes"],
        [
            unique("shift_id"),
            not_null("clinic_id", why=_TENANT),
            not_before("end_at", "start_at"),
            between("shift_minutes", 0, 24 * 60, "WARN", "a shift is at most a day"),
        ],
    ),
    _staging(
        "invoice_lines",
        [
            "line_id",
            "invoice_id",
            "clinic_id",
            "item_type",
            "invoice_status",
            *(
                f"case when refund_of_line_id is null then {c} end as {c}_of_sale"
                for c in ("quantity", "unit_price", "discount", "tax", "tip")
            ),
            "case when refund_of_line_id is not null"
            " then quantity * unit_price - coalesce(discount, 0) end as refund_net",
            in_future("issued_at"),
        ],
        [
            unique("line_id"),
            not_null("invoice_id"),
            not_null("clinic_id", why=_TENANT),
            in_set("item_type", ITEM_TYPES),
            in_set("invoice_status", INVOICE_STATUSES),
            *(
                at_least(f"{c}_of_sale", 0, why="only a refund line is negative")
                for c in ("quantity", "unit_price", "discount", "tax", "tip")
            ),
            at_most("refund_net", 0, "WARN", "a refund line takes money back"),
            no_future("issued_at"),
        ],
    ),
    _staging(
        "ad_spend",
        [
            "spend_date",
            "platform",
            "campaign_id",
            "clinic_id",
            "spend",
            "impressions",
            "clicks",
            "currency",
            in_future("spend_date", value="cast(spend_date as timestamp)"),
        ],
        [
            unique("spend_date", "platform", "campaign_id"),
            not_null("clinic_id"),
            not_null("spend"),
            in_set("platform", PLATFORMS),
            at_least("spend", 0),
            at_least("impressions", 0),
            at_least("clicks", 0),
            Rule(
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": "impressions", "column_B": "clicks", "or_equal": True},
                "WARN",
                "an ad is seen before it is clicked",
            ),
            matches("currency", "^[A-Z]{3}$", "an ISO 4217 code", "WARN"),
            no_future("spend_date"),
        ],
    ),
]
STAGING_SUITES = [suite for suites in _STAGING for suite in suites]
