"""A second booking system, the same marts: the demo clinic built from its file exports,
and the same clinic pulled from a fake Boulevard Admin API (GraphQL, tests/e2e/
boulevard_api.py) with its shift schedule, leads and ad spend as files (Boulevard carries
none of those), give equal marts.

Both warehouses are built by `provider-view run`: the first with `--inputs <exports>` (the
session's demo build, tests/builds.py), the second with `--inputs <shifts, leads, ad
spend> --source boulevard`, Boulevard configured through dlt's environment variables
against a local server that checks the signed token.

Unlike Zenoti, Boulevard carries late cancellations and their time (the cancellation
reason and cancelledAt), staff's active flag and each line's appointment, so the demo is
used as generated. What it genuinely cannot carry, and how the comparison handles it:
- a client has no referral source: dim_patients is compared without referral_source;
- tips are booked on the payment, not on an order line: fct_invoice_lines without tip;
- a product, package, membership or gift card line names no service: service_id is
  compared for service lines only.
Rows the file loader refused (the demo's planted bad rows) exist only in the exports: the
fake API serves the rows the file loader staged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from builds import clean_env
from pytest_httpserver import HTTPServer

from ingestion.registry import API_SOURCES

from .boulevard_api import BoulevardFake, boulevard_nodes
from .clinic_apis import Clinic, entity_files, local
from .test_api_equals_files import Warehouses, mart_differences, run_cli, staged_keys

pytestmark = pytest.mark.slow  # its fixture runs the CLI end to end

NOT_CARRIED = {
    "dim_patients": {"referral_source": None},  # Boulevard keeps no referral source
    "fct_invoice_lines": {
        "tip": None,  # booked on the payment
        "service_id": "case when item_type = 'service' then service_id end",
    },
}
AS_FILES = ("provider_shifts", "leads", "ad_spend")  # what Boulevard does not carry


@dataclass
class Built:
    files: Path
    boulevard: Path
    nodes: dict[str, list[dict]]


@pytest.fixture(scope="module")
def built(demo_build, tmp_path_factory) -> Built:
    """The files side is the session's demo build (tests/builds.py), used as generated."""
    root = tmp_path_factory.mktemp("boulevard_equals_files")
    demo, files_wh = demo_build.inputs, demo_build.warehouse
    # the demo build's environment: only the source differs between the two runs
    env = {**clean_env(root / "dagster"), "RUNTIME__DLTHUB_TELEMETRY": "false"}

    current = Clinic.from_exports(demo, staged_keys(files_wh))
    others = root / "others"
    others.mkdir()
    for entity in AS_FILES:
        for path in entity_files(demo, entity):
            shutil.copy(path, others / path.name)

    nodes = boulevard_nodes(current)
    days = [
        local(r[column], current.zone(r["location_id"]))[:10]
        for entity, column in (("appointments", "start_at"), ("invoice_lines", "issued_at"))
        for r in current.rows[entity]
    ]
    sales = [
        local(r["issued_at"], current.zone(r["location_id"]))[:10]
        for r in current.rows["invoice_lines"]
    ]
    today = date.fromisoformat(max(sales)) + timedelta(days=1)
    horizon = (date.fromisoformat(max(days)) - today).days + 2  # past the last booking, in UTC
    start = date.fromisoformat(min(days)) - timedelta(days=1)  # a local day starts earlier in UTC
    clinic_id = current.rows["locations"][0]["clinic_id"]

    server = HTTPServer()
    server.start()
    try:
        fake = BoulevardFake(server, nodes)
        config = fake.config(
            clinic_id=clinic_id,
            start_date=start.isoformat(),
            today=today.isoformat(),
            horizon_days=str(horizon),
        )
        boulevard_wh = root / "boulevard" / "warehouse.duckdb"  # dbt's database: warehouse
        run_cli(
            {**env, **config},
            root,
            "run",
            "--inputs",
            str(others),
            "--source",
            "boulevard",
            "--warehouse",
            str(boulevard_wh),
        )
    finally:
        server.clear()
        server.stop()
    return Built(files_wh, boulevard_wh, nodes)


def test_the_marts_built_from_boulevard_equal_the_marts_built_from_the_files(built):
    differences = mart_differences(built.files, built.boulevard, NOT_CARRIED)
    assert not differences, "\n".join(differences)


def test_every_booking_entity_came_from_boulevard_and_nothing_was_refused(built):
    for entity in API_SOURCES["boulevard"].entities:
        (files_count,) = Warehouses.query(
            built.files, f"select count(*) from staging.stg_files__{entity}"
        )[0]
        (boulevard_count, files_in_boulevard_wh) = Warehouses.query(
            built.boulevard,
            f"select (select count(*) from staging.stg_boulevard__{entity}),"
            f" (select count(*) from staging.stg_files__{entity})",
        )[0]
        assert (boulevard_count, files_in_boulevard_wh) == (files_count, 0), entity
        assert files_count > 0, entity
    assert (
        Warehouses.query(built.boulevard, "select * from staging.stg_boulevard__quarantine") == []
    )
    # what Boulevard carries that Zenoti cannot: late cancellations with their time
    late = Warehouses.query(
        built.boulevard,
        "select count(*), count(cancelled_at) from staging.stg_boulevard__appointments"
        " where status = 'late_cancelled'",
    )[0]
    assert late[0] > 0 and late[0] == late[1]


def test_each_boulevard_staging_model_has_the_columns_and_types_of_the_file_one(built):
    def columns(model: str) -> list[tuple]:
        return Warehouses.query(
            built.boulevard,
            "select column_name, data_type from information_schema.columns where "
            f"table_schema = 'staging' and table_name = '{model}' order by ordinal_position",
        )

    for entity in API_SOURCES["boulevard"].entities:
        assert columns(f"stg_boulevard__{entity}") == columns(f"stg_files__{entity}"), entity
