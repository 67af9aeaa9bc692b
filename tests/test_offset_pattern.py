"""The loader's duration check (ingestion/files/rules.py) and staging (macros/time.sql)
must agree on which timestamps carry a UTC offset: staging's macro is the rule, and the
loader's copy of its pattern is held to it here."""

from __future__ import annotations

import re

import duckdb
import pytest

from ingestion.files.rules import OFFSET_PATTERN
from orchestration import settings


def _macro_pattern() -> str:
    text = (settings.DBT_PROJECT_DIR / "macros" / "time.sql").read_text()
    body = re.search(r"macro utc_offset_pattern\(\) -%}\s*'(.*)'\s*{%- endmacro", text)
    assert body, "utc_offset_pattern() not found in macros/time.sql"
    return body.group(1)


def test_the_loader_uses_stagings_offset_pattern():
    assert _macro_pattern() == OFFSET_PATTERN


@pytest.mark.parametrize(
    ("value", "has_offset"),
    [
        ("2025-03-01T10:00:00Z", True),
        ("2025-03-01 10:00:00+01:00", True),
        ("2025-03-01T10:00:00.123-0700", True),
        ("2025-03-01 10:00:00", False),
        ("2025-03-01", False),
    ],
)
def test_the_pattern_tells_instants_from_wall_times(value, has_offset):
    with duckdb.connect() as con:
        query = f"select regexp_matches('{value}', '{OFFSET_PATTERN}')"
        assert con.execute(query).fetchone()[0] is has_offset
