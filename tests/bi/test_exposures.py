"""The reports are dbt exposures on the marts they read, so dbt docs' lineage shows who
consumes each mart."""

from __future__ import annotations

import re
from pathlib import Path

import orchestration.reports.data as report_data
from orchestration.defs.reports import READS


def _exposures(manifest: dict) -> dict[str, set[str]]:
    return {
        e["name"]: {node.split(".")[-1] for node in e["depends_on"]["nodes"]}
        for e in manifest["exposures"].values()
    }


def test_scorecards_and_owner_page_are_exposures_on_the_marts(manifest, marts):
    exposures = _exposures(manifest)
    assert {"provider_scorecard_pages", "owner_page"} <= set(exposures)
    assert "provider_scorecards" in exposures["provider_scorecard_pages"]
    assert {"team_practices", "campaign_provider_performance"} <= exposures["owner_page"]
    for name, depends_on in exposures.items():
        assert depends_on and depends_on <= set(marts), (name, depends_on - set(marts))


def test_the_page_exposures_name_what_the_report_sql_reads(manifest):
    source = Path(report_data.__file__).read_text(encoding="utf-8")
    read = {
        name
        for pair in re.findall(r"from marts\.(\w+)|join marts\.(\w+)", source)
        for name in pair
        if name
    }
    exposures = _exposures(manifest)
    assert read == set(READS)
    assert exposures["provider_scorecard_pages"] | exposures["owner_page"] == set(READS)
