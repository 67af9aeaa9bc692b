"""End to end: the demo clinic through `provider-view run` (dlt load, dbt build with every
data and unit test, through Dagster); the marts must recover what the generator planted.

truth.json holds two kinds of truth:
- `realized`: the all-time numbers of this very data set, which the marts must compute
  exactly (summed over calendar quarters, with as_of = end_date);
- the planted parameters (conversion probability, average ticket, 90-day return and
  rebooking probability per provider; campaign routing), which they must recover up to
  sampling noise.

Whole-period comparisons pool the complete calendar quarters: the counts the mart
publishes (consults_converted / consults_mature, ticket_revenue / tickets, ...) summed over
those rows, never re-derived from facts. The trailing_90d row alone is too small to order
providers whose planted rates are 0.05 apart, and it omits the provider who left.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion.demo import generate_clinic

pytestmark = pytest.mark.slow  # its fixture runs the CLI end to end

# Scale 2 (about 175,000 invoice lines) keeps the whole module near 1.5 minutes on two
# cores while giving each provider 200-900 mature consults per quarter.
SCALE = 2.0
SEED = 7

PROVIDER_COUNTS = (
    "consult_slots",
    "consults_held",
    "consults_mature",
    "consults_converted",
    "converted_revenue",
    "tickets",
    "ticket_revenue",
    "first_visits_mature_90d",
    "returned_90d",
    "first_visits_mature_365d",
    "returned_365d",
    "completed_visits",
    "rebooked_visits",
    "capacity_appointments",
    "no_shows",
)
CAMPAIGN_COUNTS = (
    "attributed_consult_slots",
    "consults_held",
    "consults_mature",
    "consults_converted",
    "converted_revenue",
    "leads",
    "spend",
    "impressions",
    "clicks",
)


class Warehouse:
    def __init__(self, path: Path, truth: dict):
        self.path = path
        self.truth = truth

    def query(self, sql: str, params=None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def pooled_quarters(
        self, columns, table="provider_performance", key="provider_id", complete_only=True
    ) -> dict[str, dict[str, float]]:
        """{key: {column: sum over the (complete) calendar quarters}}."""
        sums = ", ".join(f"sum({c})" for c in columns)
        complete = "and is_complete" if complete_only else ""
        rows = self.query(
            f"select {key}, {sums} from marts.{table} "
            f"where period_type = 'calendar_quarter' {complete} group by all"
        )
        return {r[0]: dict(zip(columns, (float(v) for v in r[1:]), strict=True)) for r in rows}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Warehouse:
    root = tmp_path_factory.mktemp("truth")
    inputs, path = root / "inputs", root / "warehouse.duckdb"
    generate_clinic(inputs, scale=SCALE, seed=SEED)
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    env.pop("PROVIDER_VIEW_AS_OF", None)  # the as-of date must be derived from the data
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "run",
            "--inputs",
            str(inputs),
            "--warehouse",
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # The run fails when any dbt data test (ranges, keys, reconciliations) or unit test fails.
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return Warehouse(path, json.loads((inputs / "truth.json").read_text(encoding="utf-8")))


def _order(values: dict[str, float]) -> list[str]:
    return sorted(values, key=lambda k: values[k], reverse=True)


def test_as_of_date_is_derived_from_the_data(warehouse):
    ends = warehouse.query(
        "select distinct period_end from marts.provider_performance where period_type = 'trailing_90d'"
    )
    assert [str(e[0]) for e in ends] == [warehouse.truth["as_of_date"]]


def test_realized_provider_numbers_are_computed_exactly(warehouse):
    # the realized numbers run to the as-of date: every calendar quarter, the last included
    marts = warehouse.pooled_quarters(PROVIDER_COUNTS, complete_only=False)
    realized = warehouse.truth["realized"]["providers"]
    assert set(marts) == set(realized)
    for provider, expected in realized.items():
        for column in PROVIDER_COUNTS:
            assert marts[provider][column] == pytest.approx(expected[column], abs=0.005), (
                provider,
                column,
            )
        by_category = warehouse.query(
            "select "
            + ", ".join(f"sum(consults_{c})" for c in expected["consult_slots_by_category"])
            + " from marts.provider_performance"
            " where period_type = 'calendar_quarter' and provider_id = ?",
            [provider],
        )[0]
        assert list(by_category) == list(expected["consult_slots_by_category"].values())


def test_utilization_over_complete_quarters_matches_truth(warehouse):
    # the realized minutes run to the as-of date (all calendar quarters, exactly); the
    # complete quarters leave out the as-of quarter, which the shifts are staffed to the
    # same target, so their pooled utilization agrees up to rounding
    realized = warehouse.truth["realized"]["providers"]
    every = warehouse.pooled_quarters(("booked_minutes", "shift_minutes"), complete_only=False)
    complete = warehouse.pooled_quarters(("booked_minutes", "shift_minutes"))
    for provider, expected in realized.items():
        assert every[provider] == {
            "booked_minutes": expected["booked_minutes"],
            "shift_minutes": expected["shift_minutes"],
        }, provider
        pooled = complete[provider]["booked_minutes"] / complete[provider]["shift_minutes"]
        assert pooled == pytest.approx(expected["utilization"], abs=0.005), provider


def test_realized_campaign_numbers_are_computed_exactly(warehouse):
    marts = warehouse.pooled_quarters(
        CAMPAIGN_COUNTS,
        table="campaign_performance",
        key="platform || '/' || campaign_id",
        complete_only=False,
    )
    for campaign, expected in warehouse.truth["realized"]["campaigns"].items():
        for column in CAMPAIGN_COUNTS:
            if column in expected:
                assert marts[campaign][column] == pytest.approx(expected[column], abs=0.005), (
                    campaign,
                    column,
                )


def test_planted_conversion_lies_in_the_wilson_interval(warehouse):
    planted = {p: t["conversion_p"] for p, t in warehouse.truth["providers"].items()}
    rows = warehouse.query(
        "select provider_id, conversion_ci_low, conversion_ci_high"
        " from marts.provider_performance"
        " where period_type = 'calendar_quarter' and is_complete and conversion_rate is not null"
    )
    assert len(rows) >= 5 * len(planted)  # enough (provider, complete quarter) rows to judge
    inside = [float(low) <= planted[p] <= float(high) for p, low, high in rows]
    assert sum(inside) / len(inside) >= 0.90, f"{sum(inside)} of {len(inside)} intervals"


@pytest.mark.parametrize(
    ("planted_key", "numerator", "denominator"),
    [
        ("conversion_p", "consults_converted", "consults_mature"),
        ("avg_ticket", "ticket_revenue", "tickets"),
        ("return_90d_p", "returned_90d", "first_visits_mature_90d"),
        ("rebook_p", "rebooked_visits", "completed_visits"),
        ("no_show_p", "no_shows", "capacity_appointments"),
    ],
)
def test_providers_order_matches_the_planted_order(warehouse, planted_key, numerator, denominator):
    pooled = warehouse.pooled_quarters((numerator, denominator))
    measured = {p: s[numerator] / s[denominator] for p, s in pooled.items()}
    planted = {p: t[planted_key] for p, t in warehouse.truth["providers"].items()}
    assert _order(measured) == _order(planted)


def test_no_show_rate_recovers_the_planted_share(warehouse):
    # the generator plans each provider's no-shows to its planted share of capacity over
    # the whole history; the complete quarters hold all but the as-of quarter of it
    planted = {p: t["no_show_p"] for p, t in warehouse.truth["providers"].items()}
    pooled = warehouse.pooled_quarters(("no_shows", "capacity_appointments"))
    for provider, sums in pooled.items():
        rate = sums["no_shows"] / sums["capacity_appointments"]
        assert rate == pytest.approx(planted[provider], abs=0.01), provider
    # the published (not withheld) quarterly rates agree with the pooled counts
    published = warehouse.query(
        "select count(*), count(no_show_rate),"
        " sum(case when no_show_rate is not null"
        "     and abs(no_show_rate - no_shows * 1.0 / capacity_appointments) > 1e-6 then 1 end)"
        " from marts.provider_performance"
        " where capacity_appointments >= 20 or no_show_rate is not null"
    )[0]
    assert published[0] == published[1] > 0 and published[2] is None


def test_favoured_routing_earns_more_per_ad_dollar(warehouse):
    truth = warehouse.truth
    strongest, favoured = truth["strongest_provider"], truth["favoured_campaign"]
    disfavoured, weak = truth["disfavoured_campaign"], truth["disfavoured_provider"]
    routing = truth["campaign_routing"]
    assert _order(routing[favoured])[0] == strongest  # the planted premise
    assert _order(routing[disfavoured])[0] == weak

    pooled = warehouse.pooled_quarters(
        ("converted_revenue", "allocated_spend"),
        table="campaign_provider_performance",
        key="campaign_id || '/' || provider_id",
    )
    per_ad_dollar = {
        k: s["converted_revenue"] / s["allocated_spend"]
        for k, s in pooled.items()
        if s["allocated_spend"] > 0  # organic, referral, unattributed: no spend to allocate
    }
    assert per_ad_dollar[f"{favoured}/{strongest}"] > per_ad_dollar[f"{disfavoured}/{weak}"]
    # and the strongest provider is where the favoured campaign earns most per dollar
    favoured_rows = {k: v for k, v in per_ad_dollar.items() if k.startswith(f"{favoured}/")}
    assert _order(favoured_rows)[0] == f"{favoured}/{strongest}"


def test_the_run_rendered_a_private_page_per_active_provider(warehouse):
    """The refresh job ends with reports/scorecards: pages beside the warehouse."""
    clinic = warehouse.path.parent / "reports" / "clin_demo"
    names = dict(warehouse.query("select provider_id, provider_name from marts.dim_providers"))
    active = [p for p, t in warehouse.truth["providers"].items() if t["active"]]
    for provider in active:
        page = (clinic / "providers" / f"{provider}.html").read_text(encoding="utf-8")
        assert names[provider] in page
        assert not [n for p, n in names.items() if p != provider and n in page]
    assert (
        warehouse.truth["as_of_date"]
        in warehouse.query("select cast(max(period_end) as varchar) from marts.team_practices")[0]
    )
    assert (clinic / "index.html").is_file()
