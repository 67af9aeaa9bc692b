"""The pages the refresh job rendered: every number equals the marts, a provider page
shows nobody else, and withheld values read as plain words, never as 0."""

from __future__ import annotations

import math

import pytest

from orchestration.reports.data import CATEGORIES, METRICS

from .conftest import read_page

SCORECARD_FIELDS = (
    "value",
    "ci_low",
    "ci_high",
    "sample_size",
    "previous_value",
    "clinic_median",
    "clinic_top_quartile",
)
CONTEXT_FIELDS = (
    "share_new_patient_consults",
    "mix_adjusted_index",
    "avg_consult_minutes",
    "clinic_median_consult_minutes",
)


def _close(a: float, b) -> bool:
    return b is not None and math.isclose(a, float(b), rel_tol=0, abs_tol=1e-9)


@pytest.fixture(scope="module")
def trailing(clinic):
    """{(clinic_id, provider_id): {metric: scorecard row as a dict}} for trailing_90d."""
    with_names = clinic.query(
        "select column_name from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'provider_scorecards'"
        " order by ordinal_position"
    )
    columns = [c for (c,) in with_names]
    rows = clinic.query(
        f"select {', '.join(columns)} from marts.provider_scorecards"
        " where period_type = 'trailing_90d'"
    )
    cards: dict = {}
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        cards.setdefault((record["clinic_id"], record["provider_id"]), {})[record["metric"]] = (
            record
        )
    return cards


@pytest.fixture(scope="module")
def names(clinic) -> dict[str, str]:
    return dict(clinic.query("select provider_id, provider_name from marts.dim_providers"))


def _page(clinic, clinic_id, provider_id):
    return clinic.reports / clinic_id / "providers" / f"{provider_id}.html"


def test_a_private_page_per_provider_and_an_owner_page_per_clinic(clinic, trailing):
    clinics = {c for c, _ in trailing}
    assert clinics == {"clin_demo"}
    for clinic_id, provider_id in trailing:
        assert _page(clinic, clinic_id, provider_id).is_file()
    pages = {p.stem for p in (clinic.reports / "clin_demo" / "providers").glob("*.html")}
    assert pages == {p for _, p in trailing}
    assert (clinic.reports / "clin_demo" / "index.html").is_file()
    assert len(trailing) >= 8  # the demo clinic's active providers


def test_every_number_on_a_provider_page_is_its_own_scorecard(clinic, trailing):
    for (clinic_id, provider_id), metrics in trailing.items():
        page = read_page(_page(clinic, clinic_id, provider_id))
        shown = 0
        for name, _, _ in METRICS:
            row = metrics[name]
            for column in SCORECARD_FIELDS:
                key = f"{name}.{column}"
                if key in page.values:
                    assert all(_close(v, row[column]) for v in page.values[key]), key
                    shown += 1
                elif column in ("value", "clinic_median", "clinic_top_quartile"):
                    # not shown only because the mart withholds it
                    assert row[column] is None, f"{provider_id} {key} is missing"
            if row["value"] is None and row["sample_size"] is not None:
                assert row["sample_size"] < row["min_sample"]
                assert f"{name}.value" in page.withheld
        first = next(iter(metrics.values()))
        for column in CONTEXT_FIELDS:
            for value in page.values.get(f"context.{column}", []):
                assert _close(value, first[column]), column
        for category in CATEGORIES:
            for value in page.values.get(f"context.mix.{category}", []):
                assert _close(value, first[f"consult_share_{category}"])
            for value in page.values.get(f"context.clinic_mix.{category}", []):
                assert _close(value, first[f"clinic_consult_share_{category}"])
        known = {f"{m}.{c}" for m, _, _ in METRICS for c in SCORECARD_FIELDS}
        known |= {f"context.{c}" for c in CONTEXT_FIELDS}
        known |= {f"context.{k}.{c}" for k in ("mix", "clinic_mix") for c in CATEGORIES}
        assert set(page.values) <= known  # nothing on the page comes from elsewhere
        assert shown >= 6


def test_a_provider_page_never_names_or_shows_a_colleague(clinic, trailing, names):
    everyone = set(names)
    for clinic_id, provider_id in trailing:
        html = _page(clinic, clinic_id, provider_id).read_text(encoding="utf-8")
        assert names[provider_id] in html
        for other in everyone - {provider_id}:
            assert other not in html, f"{other}'s id on {provider_id}'s page"
            assert names[other] not in html, f"{names[other]} on {provider_id}'s page"
        # the strongest value of the team view is a colleague's number
        assert "strongest" not in html.lower()


def test_withheld_values_read_as_plain_words(clinic, trailing):
    withheld = [
        (key, name, row)
        for key, metrics in trailing.items()
        for name, row in metrics.items()
        if row["value"] is None and row["sample_size"] is not None
    ]
    assert withheld, "the small demo clinic should have a withheld rate"
    nouns = {
        "conversion_rate": "mature consults",
        "revenue_per_consult_slot": "mature consults",
        "avg_ticket": "tickets",
        "return_rate_90d": "mature first visits",
        "rebooking_rate": "completed visits",
    }
    for (clinic_id, provider_id), name, row in withheld:
        page = read_page(_page(clinic, clinic_id, provider_id))
        words = f"Fewer than {row['min_sample']} {nouns[name]} in these 90 days: not shown"
        assert words in page.text
        assert f"{name}.value" not in page.values


def test_owner_page_numbers_equal_the_marts(clinic):
    page = read_page(clinic.reports / "clin_demo" / "index.html")
    team = {
        r[0]: r[1:]
        for r in clinic.query(
            "select metric, clinic_value, clinic_median, clinic_top_quartile, strongest_value"
            " from marts.team_practices where period_type = 'trailing_90d'"
        )
    }
    fields = ("clinic_value", "clinic_median", "clinic_top_quartile", "strongest_value")
    for metric, values in team.items():
        for column, expected in zip(fields, values, strict=True):
            key = f"team.{metric}.{column}"
            if expected is None:
                assert key not in page.values
            else:
                assert _close(page.values[key][0], expected), key

    routing = clinic.query(
        "select platform || '/' || campaign_id || '/' || provider_id, attributed_consult_slots,"
        " consults_mature, conversion_rate, revenue_per_ad_dollar, allocated_spend"
        " from marts.campaign_provider_performance where period_type = 'trailing_90d'"
    )
    assert routing
    columns = (
        "attributed_consult_slots",
        "consults_mature",
        "conversion_rate",
        "revenue_per_ad_dollar",
        "allocated_spend",
    )
    for key, *values in routing:
        for column, expected in zip(columns, values, strict=True):
            shown = page.values.get(f"routing.{key}.{column}")
            if expected is None:
                assert shown is None
            else:
                assert _close(shown[0], expected), (key, column)
        if values[2] is None:  # a withheld row says so in words
            assert f"routing.{key}.withheld" in page.withheld

    (slots, held, converted, revenue) = clinic.query(
        "select sum(consult_slots), sum(consults_held), sum(consults_converted),"
        " sum(converted_revenue) from marts.provider_performance"
        " where period_type = 'trailing_90d'"
    )[0]
    (spend,) = clinic.query(
        "select sum(spend) from marts.campaign_performance where period_type = 'trailing_90d'"
    )[0]
    for key, expected in {
        "consult_slots": slots,
        "consults_held": held,
        "consults_converted": converted,
        "converted_revenue": revenue,
        "ad_spend": spend,
    }.items():
        assert _close(page.values[f"total.{key}"][0], expected), key


def test_no_rank_column_anywhere(clinic):
    columns = clinic.query(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'marts' and (column_name like '%rank%'"
        " or column_name like '%percentile%')"
    )
    assert columns == []
