"""The marts do not care where the data came from: the demo clinic built from its file
exports, and the same clinic pulled from fake Google Ads, Meta Ads and Zenoti APIs (plus
its leads export through the leads source, and its shift schedule as a file: Zenoti's
source does not read schedules), give equal marts.

Both warehouses are built by `provider-view run`, the product's own path: the first with
`--inputs <exports>`, the second with `--inputs <a folder holding only the shifts>
--source google_ads --source meta_ads --source zenoti --source leads`, the sources
configured through dlt's environment variables against a local server.

What an API genuinely cannot carry, and how the comparison handles it:
- Zenoti's appointment list has no late-cancel status and no cancellation time. The clinic
  both warehouses are built from is the demo with its late cancellations recorded as plain
  cancellations (the one rewrite of the demo's exports), and fct_appointments is compared
  without cancelled_at.
- Zenoti lists the employees who can work at a center, with no active flag: dim_providers
  is compared without is_active.
- Zenoti's sales report does not link items to appointments, books tips on payments, and
  names a product, package or membership rather than a service: fct_invoice_lines is
  compared without appointment_id and tip, and with service_id for service items only.
  Line ids are Zenoti's invoice_item_id, so they and the refunds' links are compared, as
  is every amount, date, status and attribution.
Rows the file loader refused (the demo's planted bad rows) exist only in the file exports:
the fake APIs serve the rows the file loader staged.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from pytest_httpserver import HTTPServer

from ingestion.demo import generate_clinic
from ingestion.files.entities import ENTITIES

from .clinic_apis import Clinic, entity_files, read_rows, serve, source_config, write_rows

pytestmark = pytest.mark.slow  # its fixture runs the CLI end to end

CLI = [sys.executable, "-m", "orchestration.cli"]

# Per mart: column -> SQL compared in its place (None: not compared), with the reason.
NOT_CARRIED = {
    "dim_providers": {"is_active": None},  # Zenoti has no active flag
    "fct_appointments": {"cancelled_at": None},  # Zenoti has no cancellation time
    "fct_invoice_lines": {
        "appointment_id": None,  # the sales report does not link items to appointments
        "tip": None,  # Zenoti books tips on payments
        # a product, package or membership is an item of its own in Zenoti, not a service
        "service_id": "case when item_type = 'service' then service_id end",
    },
}
# Canonical entity -> the API source that carries it in the second warehouse.
CARRIED_BY = {
    "locations": ["zenoti"],
    "providers": ["zenoti"],
    "services": ["zenoti"],
    "patients": ["zenoti"],
    "appointments": ["zenoti"],
    "invoice_lines": ["zenoti"],
    "leads": ["leads"],
    "ad_spend": ["google_ads", "meta_ads"],
}


@dataclass
class Warehouses:
    files: Path
    apis: Path
    late_cancellations: int  # rewritten as cancellations in the clinic both are built from

    @staticmethod
    def query(warehouse: Path, sql: str) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.sql(sql).fetchall()


def run_cli(env: dict, cwd: Path, *args: str) -> None:
    result = subprocess.run(
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=900
    )
    if result.returncode != 0:
        raise AssertionError(
            f"provider-view {' '.join(args)} failed:\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )


def without_late_cancellations(demo: Path, clinic: Path) -> int:
    """Copy the exports, recording late cancellations as cancellations (Zenoti's view)."""
    shutil.copytree(demo, clinic)
    rewritten = 0
    for path in entity_files(clinic, "appointments"):
        rows = read_rows(path)
        for row in rows:
            if row["status"].strip().lower() == "late_cancelled":
                row["status"] = "cancelled"
                rewritten += 1
        write_rows(path, rows, ENTITIES["appointments"].column_names)
    return rewritten


def staged_keys(warehouse: Path) -> dict[str, set[tuple[str, ...]]]:
    """The keys the file loader staged, per entity, as text."""
    keys = {}
    for entity, spec in ENTITIES.items():
        columns = ["cast(spend_date as varchar)" if k == "date" else k for k in spec.key]
        rows = Warehouses.query(
            warehouse, f"select {', '.join(columns)} from staging.stg_files__{entity}"
        )
        keys[entity] = {tuple(row) for row in rows}
    return keys


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> Warehouses:
    root = tmp_path_factory.mktemp("api_equals_files")
    generate_clinic(root / "demo", scale=0.05, seed=11)
    clinic = root / "clinic"
    late = without_late_cancellations(root / "demo", clinic)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(root / "dagster"),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
    }
    # cwd = root: no developer's .dlt/ config can leak into the runs
    # both named warehouse.duckdb, as most builds are: dbt reuses its parse (parse_state.py)
    files_wh = root / "files" / "warehouse.duckdb"
    run_cli(env, root, "run", "--inputs", str(clinic), "--warehouse", str(files_wh))

    current = Clinic.from_exports(clinic, staged_keys(files_wh))
    crm = root / "crm"
    crm.mkdir()
    write_rows(crm / "leads.csv", current.rows["leads"], ENTITIES["leads"].column_names)
    schedules = root / "schedules"
    schedules.mkdir()
    for path in entity_files(clinic, "provider_shifts"):
        shutil.copy(path, schedules / path.name)

    server = HTTPServer()
    server.start()
    try:
        serve(server, current)
        apis_env = {**env, **source_config(server, current, crm / "leads.csv")}
        apis_wh = root / "apis" / "warehouse.duckdb"
        sources = [
            a for s in ("google_ads", "meta_ads", "zenoti", "leads") for a in ("--source", s)
        ]
        run_cli(
            apis_env, root, "run", "--inputs", str(schedules), *sources, "--warehouse", str(apis_wh)
        )
    finally:
        server.clear()
        server.stop()
    return Warehouses(files_wh, apis_wh, late)


def mart_rows(
    warehouse: Path, table: str, columns: list[str], not_carried: dict = NOT_CARRIED
) -> list[tuple]:
    replaced = not_carried.get(table, {})
    selected = [
        f"{replaced[c]} as {c}" if c in replaced else c
        for c in columns
        if not (c in replaced and replaced[c] is None)
    ]
    rows = Warehouses.query(warehouse, f"select {', '.join(selected)} from marts.{table}")
    return sorted(rows, key=_order)


def mart_differences(files: Path, apis: Path, not_carried: dict = NOT_CARRIED) -> list[str]:
    """Every mart of the file build against the same mart of the API build, row by row
    (the first differing row per mart), modulo `not_carried`."""
    tables = sorted(
        r[0]
        for r in Warehouses.query(
            files, "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    )
    assert {"provider_performance", "campaign_performance", "fct_invoice_lines"} <= set(tables)
    differences = []
    for table in tables:
        columns = [
            r[0]
            for r in Warehouses.query(
                files,
                "select column_name from information_schema.columns where table_schema = "
                f"'marts' and table_name = '{table}' order by ordinal_position",
            )
        ]
        expected = mart_rows(files, table, columns, not_carried)
        actual = mart_rows(apis, table, columns, not_carried)
        assert expected, f"marts.{table} is empty: the comparison would prove nothing"
        if len(expected) != len(actual):
            differences.append(f"{table}: {len(expected)} rows from files, {len(actual)} from APIs")
            continue
        for want, got in zip(expected, actual, strict=True):
            if not all(_same(a, b) for a, b in zip(want, got, strict=True)):
                differences.append(f"{table}:\n  files {want}\n  apis  {got}")
                break
    return differences


def _order(row: tuple) -> tuple:
    return tuple((v is None, round(v, 6) if isinstance(v, float) else v) for v in row)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)  # sums of doubles may reorder
    return a == b


def test_the_marts_built_from_the_apis_equal_the_marts_built_from_the_files(warehouses):
    differences = mart_differences(warehouses.files, warehouses.apis)
    assert not differences, "\n".join(differences)


def test_every_entity_came_from_its_api_and_nothing_was_refused(warehouses):
    for entity, sources in CARRIED_BY.items():
        (files_count,) = Warehouses.query(
            warehouses.files, f"select count(*) from staging.stg_files__{entity}"
        )[0]
        api_count = sum(
            Warehouses.query(warehouses.apis, f"select count(*) from staging.stg_{s}__{entity}")[0][
                0
            ]
            for s in sources
        )
        (files_in_apis_wh,) = Warehouses.query(
            warehouses.apis, f"select count(*) from staging.stg_files__{entity}"
        )[0]
        assert (api_count, files_in_apis_wh) == (files_count, 0), entity
    assert Warehouses.query(warehouses.apis, "select * from staging.stg_zenoti__quarantine") == []
    # the files-only run left the API sources out of its job, and built all the same
    schemas = "select schema_name from information_schema.schemata"
    loaded = {s for (s,) in Warehouses.query(warehouses.files, schemas)}
    assert "raw_files" in loaded
    assert not loaded & {f"raw_{s}" for sources in CARRIED_BY.values() for s in sources}
    # the one rewrite of the demo was needed: it has late cancellations Zenoti cannot carry
    assert warehouses.late_cancellations > 0


def test_each_api_staging_model_has_the_columns_and_types_of_the_file_one(warehouses):
    def columns(model: str) -> list[tuple]:
        return Warehouses.query(
            warehouses.apis,
            "select column_name, data_type from information_schema.columns where "
            f"table_schema = 'staging' and table_name = '{model}' order by ordinal_position",
        )

    for entity, sources in CARRIED_BY.items():
        for source in sources:
            assert columns(f"stg_{source}__{entity}") == columns(f"stg_files__{entity}"), source
