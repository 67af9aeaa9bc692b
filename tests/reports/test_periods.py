"""Which period a report shows."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.reports.periods import Period, parse_period
from orchestration.reports.render import safe_name


def test_trailing_and_quarters_parse():
    assert parse_period("trailing_90d") == Period("trailing_90d")
    assert parse_period(" 2026-q3 ") == Period("calendar_quarter", date(2026, 7, 1))
    assert parse_period("2025-Q1").label == "2025 Q1"


@pytest.mark.parametrize("text", ["2026-Q0", "2026-Q5", "Q3-2026", "last_quarter", "2026"])
def test_anything_else_names_what_is_accepted(text):
    with pytest.raises(ValueError, match="use trailing_90d or a quarter like 2026-Q3"):
        parse_period(text)


def test_ids_become_safe_file_names():
    assert safe_name("prov_01") == "prov_01"
    assert safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_name("a b/c") == "a_b_c"
