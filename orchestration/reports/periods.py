"""Which period a report shows: the trailing 90 days, or one calendar quarter (YYYY-Qn)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

TRAILING = "trailing_90d"
QUARTER = "calendar_quarter"


@dataclass(frozen=True)
class Period:
    period_type: str
    quarter_start: date | None = None  # None for the trailing window (it differs by clinic)

    @property
    def label(self) -> str:
        if self.quarter_start is None:
            return "trailing 90 days"
        return quarter_label(self.quarter_start)


def quarter_label(start: date) -> str:
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def parse_period(text: str) -> Period:
    """`trailing_90d` or `YYYY-Qn`; a ValueError names what is accepted."""
    cleaned = text.strip()
    if cleaned.lower() == TRAILING:
        return Period(TRAILING)
    match = re.fullmatch(r"(\d{4})-[Qq]([1-4])", cleaned)
    if not match:
        raise ValueError(f"period {text!r}: use trailing_90d or a quarter like 2026-Q3")
    year, quarter = int(match.group(1)), int(match.group(2))
    return Period(QUARTER, date(year, 3 * quarter - 2, 1))
