"""ingestion/values.py is the one hand-edited copy of the value sets: the dbt seeds and
the Jinja lists generated from it must be what `python -m ingestion.values` writes, and
every Python reader takes its lists from it (tests/test_metrics_contract.py holds them to
METRICS.md section 1)."""

from __future__ import annotations

import csv

import pytest

from ingestion import values
from ingestion.demo import catalog, invoices, visits
from ingestion.files.entities import ENTITIES
from ingestion.leads import attribution


@pytest.mark.parametrize("path", sorted(values.generated_files()), ids=lambda p: p.name)
def test_generated_files_are_up_to_date(path):
    assert path.read_text() == values.generated_files()[path], (
        f"{path.name} differs from ingestion/values.py: run `python -m ingestion.values`"
    )


def test_the_seeds_hold_the_modules_values_and_flags():
    def read(name):
        with (values.SEEDS_DIR / f"{name}.csv").open() as f:
            return list(csv.DictReader(f))

    assert [r["category"] for r in read("service_categories")] == list(values.SERVICE_CATEGORIES)
    statuses = read("appointment_statuses")
    assert [r["status"] for r in statuses] == list(values.APPOINTMENT_STATUSES)
    assert {r["status"] for r in statuses if r["uses_capacity"] == "true"} == {
        "completed",
        "no_show",
        "late_cancelled",
    }
    assert [r["platform"] for r in read("platforms") if r["is_paid"] == "true"] == [
        "google_ads",
        "meta_ads",
        "tiktok_ads",
        "other_paid",
    ]


def test_the_loader_and_the_demo_read_the_module():
    enums = {c.values for spec in ENTITIES.values() for c in spec.columns if c.kind == "enum"}
    assert enums == {
        values.SERVICE_CATEGORIES,
        values.APPOINTMENT_STATUSES,
        values.ITEM_TYPES,
        values.INVOICE_STATUSES,
        values.PLATFORMS,
    }
    assert catalog.CATEGORIES is values.SERVICE_CATEGORIES
    assert visits.STATUSES is values.APPOINTMENT_STATUSES
    assert [visits.STATUSES[c] for c in visits.CAPACITY_CODES] == list(values.CAPACITY_STATUSES)
    assert invoices.ITEM_TYPES is values.ITEM_TYPES
    assert invoices.INVOICE_STATUSES[invoices.CLOSED] == "closed"
    assert frozenset(values.PLATFORMS) == attribution.PLATFORMS
