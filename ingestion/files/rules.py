"""Rules that read more than one column of a row, as SQL over the rows of one export
file: each expression is NULL for a good row or a reason naming the columns.

Timestamps compare as instants: `try_cast(... as timestamptz)` on a connection whose
TimeZone is UTC reads a naive local time as if it were UTC, which is off by at most
14 hours. Two timestamps written the same way (both naive, both with an offset)
compare exactly; a mixed pair only counts as reversed beyond that slack (staging's
Great Expectations suite checks the rest on local times).
"""

from __future__ import annotations

from ingestion.values import PAST_STATUSES, sql_list

# A timestamp may lie this far ahead of the load: time zones and a clock a little ahead.
FUTURE_TOLERANCE = "2 days"
# Anything earlier is a placeholder (0001-01-01, 1900-01-01, the Unix epoch), not a date.
EARLIEST = "1980-01-01"
_MIXED_FORM_SLACK = "14 hours"

# ISO 8601 as staging reads it: date, optional time, optional Z/offset. A copy of
# utc_offset_pattern() in macros/time.sql (the rule); tests/test_offset_pattern.py holds it.
OFFSET_PATTERN = "[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?[ ]*([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$"
ISO_TIMESTAMP = (  # groups do not capture: pandas (in the GX suites) reads it too
    "[0-9]{4}-[0-9]{2}-[0-9]{2}"
    "(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]+)?)?"
    "[ ]*(?:[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
ISO_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"

# Money columns that only a refund line (refund_of_line_id set) may carry negative.
_INVOICE_AMOUNTS = ("quantity", "unit_price", "discount", "tax", "tip")
_AD_COUNTS = ("spend", "impressions", "clicks")


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def shown(name: str, chars: int = 80) -> str:
    """SQL for a value quoted in a reason, cut to `chars`."""
    return f"'''' || left({ident(name)}, {chars}) || ''''"


def instant(name: str) -> str:
    return f"try_cast(trim({ident(name)}) as timestamptz)"


def _number(name: str) -> str:
    return f"try_cast(trim({ident(name)}) as decimal(18, 4))"


def _has_offset(name: str) -> str:
    return f"regexp_matches(trim({ident(name)}), '{OFFSET_PATTERN}')"


def _blank(name: str) -> str:
    return f"nullif(trim({ident(name)}), '') is null"


def _ends_before_start(start: str = "start_at", end: str = "end_at") -> str:
    slack = (
        f"case when {_has_offset(start)} = {_has_offset(end)} then interval 0 seconds"
        f" else interval {_MIXED_FORM_SLACK} end"
    )
    return (  # in order (most rows) settles it before the offsets are looked at
        f"case when {instant(end)} >= {instant(start)} then null"
        f" when {instant(end)} < {instant(start)} - {slack}"
        f" then '{end} before {start}: ' || {shown(end)} || ' < ' || {shown(start)} end"
    )


def _negative_without_refund(column: str) -> str:
    return (
        f"case when {_number(column)} < 0 and {_blank('refund_of_line_id')}"
        f" then 'negative {column} without refund_of_line_id: ' || {shown(column)} end"
    )


def _negative(column: str) -> str:
    return f"case when {_number(column)} < 0 then 'negative {column}: ' || {shown(column)} end"


def _held_in_the_future() -> str:
    return (
        f"case when lower(trim(status)) in {sql_list(PAST_STATUSES)}"
        f" and {instant('start_at')} > now() + interval '{FUTURE_TOLERANCE}'"
        " then lower(trim(status)) || ' appointment starts in the future: start_at '"
        f" || {shown('start_at')} end"
    )


ROW_RULES: dict[str, tuple[str, ...]] = {
    "appointments": (_ends_before_start(), _held_in_the_future()),
    "provider_shifts": (_ends_before_start(),),
    # a refund must name another, staged line: judged at staging (it may name a line
    # of an earlier file), see tests/bad_inputs/test_staging_refusals.py
    "invoice_lines": tuple(map(_negative_without_refund, _INVOICE_AMOUNTS)),
    "ad_spend": tuple(map(_negative, _AD_COUNTS)),
}


def row_reasons(entity: str) -> list[str]:
    return list(ROW_RULES.get(entity, ()))
