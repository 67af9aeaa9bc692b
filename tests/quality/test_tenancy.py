"""Tenancy: two clinics whose patients share an email address never share a match or a
metric; every row past staging names only ids of its own clinic."""

from __future__ import annotations

import duckdb
import pytest
from bad_inputs.corpus import header, row

from .conftest import cli_env, query, run_cli

pytestmark = pytest.mark.slow

EMAIL = "shared.person@example.com"


def _clinic(c: str) -> dict[str, list[str]]:
    """Clinic `c`: one location, provider, patient (with the shared email), a held
    consultation and a treatment bought a week later."""
    day = "2025-03-03" if c == "a" else "2025-03-04"
    return {
        "locations": [row("locations", f"_{c}", clinic_id=f"clin_{c}")],
        "providers": [row("providers", f"_{c}", location_id=f"loc_1_{c}")],
        "patients": [
            row(
                "patients",
                f"_{c}",
                location_id=f"loc_1_{c}",
                email=EMAIL if c == "a" else f"  {EMAIL.upper()} ",
            )
        ],
        "appointments": [
            row(
                "appointments",
                f"_{c}",
                location_id=f"loc_1_{c}",
                patient_id=f"pat_1_{c}",
                provider_id=f"prov_1_{c}",
                service_id="svc_consult",
                booked_at="2025-02-25T09:00:00",
                start_at=f"{day}T10:00:00",
                end_at=f"{day}T10:30:00",
                updated_at=f"{day}T11:00:00",
            )
        ],
        "invoice_lines": [
            row(
                "invoice_lines",
                f"_{c}",
                invoice_id=f"inv_1_{c}",
                location_id=f"loc_1_{c}",
                patient_id=f"pat_1_{c}",
                provider_id=f"prov_1_{c}",
                appointment_id="",
                service_id="svc_1",
                unit_price="500.00" if c == "a" else "300.00",
                issued_at="2025-03-10T12:00:00",
                updated_at="2025-03-10T12:00:00",
            )
        ],
    }


@pytest.fixture(scope="module")
def two_clinics(tmp_path_factory):
    root = tmp_path_factory.mktemp("two_clinics")
    inputs = root / "exports"
    inputs.mkdir()
    files: dict[str, list[str]] = {}
    for c in ("a", "b"):
        for entity, rows in _clinic(c).items():
            files.setdefault(entity, []).extend(rows)
    files["services"] = [
        row("services", ""),
        row("services", "", service_id="svc_consult", name="Consult", is_consultation="true"),
    ]
    # a lead of clinic a only, with the email both clinics' patients have
    files["leads"] = [row("leads", "_a", clinic_id="clin_a", email=EMAIL)]
    files["ad_spend"] = [row("ad_spend", "", clinic_id="clin_a")]
    for entity, rows in files.items():
        (inputs / f"{entity}.csv").write_text("\n".join([header(entity), *rows]) + "\n")
    warehouse = root / "warehouse.duckdb"
    result = run_cli(cli_env(root / "dagster"), inputs, warehouse)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return warehouse


def test_the_shared_email_matches_only_within_its_clinic(two_clinics):
    matches = query(two_clinics, "select lead_id, patient_id from intermediate.int_leads_matched")
    assert matches == [("lead_1_a", "pat_1_a")]
    acquired = dict(
        (r[0], r[1:])
        for r in query(
            two_clinics,
            "select patient_id, acquisition_lead_id, acquisition_platform, acquisition_campaign_id"
            " from marts.dim_patients",
        )
    )
    assert acquired["pat_1_a"] == ("lead_1_a", "google_ads", "g_1")
    assert acquired["pat_1_b"][0] is None and acquired["pat_1_b"][1] == "unattributed"


def test_no_metric_mixes_the_two_clinics(two_clinics):
    campaign = query(
        two_clinics,
        "select clinic_id, sum(attributed_consult_slots), sum(leads) from marts.campaign_performance"
        " where period_type = 'calendar_quarter' and campaign_id = 'g_1' group by 1",
    )
    assert campaign == [("clin_a", 1, 1)]
    consults = query(
        two_clinics,
        "select clinic_id, provider_id, acquisition_campaign_id from marts.fct_consultations"
        " order by 1",
    )
    assert [c[:2] for c in consults] == [("clin_a", "prov_1_a"), ("clin_b", "prov_1_b")]
    assert consults[1][2] in (None, "(none)")
    revenue = query(
        two_clinics,
        "select clinic_id, provider_id, sum(ticket_revenue) from marts.provider_performance"
        " where period_type = 'calendar_quarter' group by 1, 2 order by 1",
    )
    assert revenue == [("clin_a", "prov_1_a", 500), ("clin_b", "prov_1_b", 300)]


def test_every_row_past_staging_names_ids_of_its_own_clinic(two_clinics):
    owners = {
        "patient_id": "staging.stg_files__patients",
        "provider_id": "staging.stg_files__providers",
        "location_id": "staging.stg_files__locations",
        "first_provider_id": "staging.stg_files__providers",
    }
    crossed = []
    with duckdb.connect(str(two_clinics), read_only=True) as con:
        columns = con.execute(
            "select table_schema || '.' || table_name, column_name from information_schema.columns"
            " where table_schema in ('intermediate', 'marts')"
        ).fetchall()
        by_relation: dict[str, set[str]] = {}
        for relation, column in columns:
            by_relation.setdefault(relation, set()).add(column)
        for relation, cols in by_relation.items():
            if "clinic_id" not in cols:
                continue
            for column in cols & owners.keys():
                key = "provider_id" if column == "first_provider_id" else column
                crossed += con.execute(
                    f"""
                    select '{relation}', '{column}', count(*)
                    from {relation} as r
                    inner join {owners[column]} as o on o.{key} = r.{column}
                    where o.clinic_id <> r.clinic_id
                    having count(*) > 0
                    """
                ).fetchall()
    assert crossed == []
