"""What a BI tool connecting read-only finds: typed marts under enforced contracts, names
beside ids, descriptions as table and column comments, and no dlt working schema."""

from __future__ import annotations

import re

MARTS = {
    "provider_performance",
    "provider_retention_cohorts",
    "campaign_performance",
    "campaign_provider_performance",
    "dim_providers",
    "dim_locations",
    "dim_services",
    "dim_campaigns",
    "dim_patients",
    "fct_appointments",
    "fct_consultations",
    "fct_invoice_lines",
}
# The types a BI driver reads: no HUGEINT (int128), one decimal type per kind of amount.
BI_TYPES = {"VARCHAR", "BOOLEAN", "DATE", "TIMESTAMP", "BIGINT", "DOUBLE"}
BI_DECIMALS = {"DECIMAL(18,2)", "DECIMAL(18,4)"}
UNITS = ("Count", "Ratio", "Money", "Minutes", "Index", "Quantity")


def _mart_columns(bi_warehouse) -> dict[str, dict[str, str]]:
    rows = bi_warehouse.query(
        "select table_name, column_name, data_type from duckdb_columns()"
        " where schema_name = 'marts' order by table_name, column_index"
    )
    out: dict[str, dict[str, str]] = {}
    for table, column, dtype in rows:
        out.setdefault(table, {})[column] = dtype
    return out


def test_every_mart_has_an_enforced_contract_with_typed_columns(marts):
    assert set(marts) >= MARTS
    for name in MARTS:
        node = marts[name]
        assert node["config"]["contract"]["enforced"] is True, name
        untyped = [c for c, spec in node["columns"].items() if not spec.get("data_type")]
        assert not untyped, (name, untyped)


def test_built_marts_have_exactly_the_declared_columns_in_bi_types(bi_warehouse, marts):
    built = _mart_columns(bi_warehouse)
    for name in MARTS:
        assert list(built[name]) == list(marts[name]["columns"]), name
        odd = {c: t for c, t in built[name].items() if t not in BI_TYPES | BI_DECIMALS}
        assert not odd, (name, odd)


def test_counts_are_bigint_rates_double_money_decimal(bi_warehouse):
    built = _mart_columns(bi_warehouse)
    pp = built["provider_performance"]
    for column in ("consult_slots", "consults_held", "tickets", "no_shows", "shift_minutes"):
        assert pp[column] == "BIGINT", column
    for column in ("conversion_rate", "no_show_rate", "utilization", "return_rate_90d"):
        assert pp[column] == "DOUBLE", column
    assert pp["avg_ticket"] == "DECIMAL(18,2)"
    assert pp["period_start"] == "DATE"
    cp = built["campaign_performance"]
    assert (cp["impressions"], cp["clicks"], cp["spend"], cp["roas"]) == (
        "BIGINT",
        "BIGINT",
        "DECIMAL(18,2)",
        "DOUBLE",
    )
    assert built["provider_retention_cohorts"]["mature_90d"] == "BIGINT"


def test_names_sit_beside_ids(bi_warehouse):
    # every provider row names the provider and their home location, as the dims do
    mismatched = bi_warehouse.query(
        """
        select count(*) from marts.provider_performance as pp
        join marts.dim_providers as p using (provider_id)
        join marts.dim_locations as l on l.location_id = p.location_id
        where pp.provider_name is distinct from p.provider_name
            or pp.location_id is distinct from p.location_id
            or pp.location_name is distinct from l.location_name
        """
    )
    assert mismatched == [(0,)]
    names = dict(bi_warehouse.query("select provider_id, provider_name from marts.dim_providers"))
    assert len(names) == 10 and all(names.values())
    assert (
        bi_warehouse.query("select count(*), count(provider_name) from marts.provider_performance")[
            0
        ]
        == (bi_warehouse.query("select count(*) from marts.provider_performance")[0][0],) * 2
    )
    # a campaign with spend carries its name from the spend rows; routing rows name both
    named = dict(
        bi_warehouse.query(
            "select distinct campaign_id, campaign_name from marts.campaign_provider_performance"
            " where platform in ('google_ads', 'meta_ads')"
        )
    )
    assert named["g_102"] == "Search - Body Contouring"
    assert bi_warehouse.query(
        "select count(*) from marts.campaign_provider_performance as c"
        " join marts.dim_providers as p using (provider_id)"
        " where c.provider_name is distinct from p.provider_name"
    ) == [(0,)]
    cohort_names = bi_warehouse.query(
        "select count(*) from marts.provider_retention_cohorts as c"
        " join marts.dim_providers as p on p.provider_id = c.first_provider_id"
        " where c.first_provider_name is distinct from p.provider_name"
    )
    assert cohort_names == [(0,)]


def test_no_dlt_working_schema_is_left_in_the_warehouse(bi_warehouse):
    schemas = {r[0] for r in bi_warehouse.query("select schema_name from duckdb_schemas()")}
    assert {"raw_files", "staging", "intermediate", "marts"} <= schemas
    assert not [s for s in schemas if s.endswith("_staging")], schemas


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def test_descriptions_are_persisted_as_table_and_column_comments(bi_warehouse, marts):
    tables = dict(
        bi_warehouse.query(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
        )
    )
    columns = {
        (t, c): comment
        for t, c, comment in bi_warehouse.query(
            "select table_name, column_name, comment from duckdb_columns()"
            " where schema_name = 'marts'"
        )
    }
    for name in MARTS:
        node = marts[name]
        assert _flat(tables[name]) == _flat(node["description"]), name
        for column, spec in node["columns"].items():
            assert _flat(columns[(name, column)]) == _flat(spec["description"]), (name, column)
    # and the layers beneath carry theirs too
    assert bi_warehouse.query(
        "select count(*) from duckdb_tables() where table_name = 'stg_files__services'"
        " and comment like 'One row per service%'"
    ) == [(1,)]


def test_every_mart_and_metric_column_says_its_unit_and_withholding(marts):
    for name in MARTS:
        node = marts[name]
        assert len(node["description"]) > 40, name
        for column, spec in node["columns"].items():
            description = spec.get("description", "")
            assert description, (name, column)
            numeric = spec["data_type"].startswith(("bigint", "double", "decimal"))
            if numeric:
                assert description.startswith(UNITS), (name, column, description)
    # the rates a sample can withhold name their threshold var (METRICS.md section 4)
    thresholds = {
        "provider_performance": {
            "conversion_rate": "min_consults",
            "revenue_per_consult_slot": "min_consults",
            "avg_ticket": "min_tickets",
            "return_rate_90d": "min_cohort",
            "rebooking_rate": "min_visits",
            "no_show_rate": "min_visits",
            "mix_adjusted_index": "min_consults",
        },
        "provider_retention_cohorts": {"return_rate_365d": "min_cohort"},
    }
    for name, rates in thresholds.items():
        for column, var in rates.items():
            description = marts[name]["columns"][column]["description"]
            assert f"NULL below {var}" in description, (name, column)


def test_campaign_rates_say_when_they_are_null(marts):
    # a campaign is not a person: its rates are NULL only for a zero denominator
    assert "NULL when" in marts["campaign_performance"]["columns"]["conversion_rate"]["description"]
    # a campaign x provider row is about a person: its rates are withheld (METRICS.md 5)
    columns = marts["campaign_provider_performance"]["columns"]
    for rate in ("conversion_rate", "revenue_per_ad_dollar"):
        assert "NULL below min_consults" in columns[rate]["description"], rate
