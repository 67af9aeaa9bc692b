"""The reports are dbt exposures on the marts they read, so dbt docs' lineage shows who
consumes each mart."""

from __future__ import annotations

import re
from pathlib import Path

import orchestration.cli.provider_table as provider_table_module


def _exposures(manifest: dict) -> dict[str, set[str]]:
    return {
        e["name"]: {node.split(".")[-1] for node in e["depends_on"]["nodes"]}
        for e in manifest["exposures"].values()
    }


def test_scorecards_and_owner_page_are_exposures_on_the_marts(manifest, marts):
    exposures = _exposures(manifest)
    assert {"provider_scorecard_pages", "owner_page", "provider_table"} <= set(exposures)
    assert "provider_performance" in exposures["provider_scorecard_pages"]
    assert {"provider_performance", "campaign_provider_performance"} <= exposures["owner_page"]
    for name, depends_on in exposures.items():
        assert depends_on and depends_on <= set(marts), (name, depends_on - set(marts))


def test_the_provider_table_exposure_names_what_its_sql_reads(manifest):
    source = Path(provider_table_module.__file__).read_text(encoding="utf-8")
    read = set(re.findall(r"from marts\.(\w+)|join marts\.(\w+)", source))
    tables = {name for pair in read for name in pair if name}
    assert tables == _exposures(manifest)["provider_table"]
