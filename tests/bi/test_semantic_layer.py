"""The MetricFlow semantic layer: its configs validate against the warehouse, `mf query`
answers with the marts' own numbers, withheld rates stay withheld, and a provider metric
cannot be asked for below a quarter. mf reads through the read-only `reader` target."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from .conftest import DBT_PROJECT

BIN = Path(sys.executable).parent
CENT = 0.005 + 1e-9  # half a cent: a value the mart rounded to the cent, plus float noise


def _env(warehouse: Path) -> dict:
    return {
        **os.environ,
        "DBT_PROFILES_DIR": str(DBT_PROJECT),
        "PROVIDER_VIEW_TARGET": "reader",
        "PROVIDER_VIEW_WAREHOUSE": str(warehouse),
    }


@pytest.fixture(scope="module", autouse=True)
def semantic_manifest(bi_warehouse, tmp_path_factory) -> Path:
    """target/semantic_manifest.json parsed for this warehouse, as the README says to do:
    mf reads the relations (database = the file's name) from it."""
    scratch = tmp_path_factory.mktemp("parse")
    result = subprocess.run(
        [str(BIN / "dbt"), "parse", "--quiet", "--target-path", str(scratch)],
        cwd=DBT_PROJECT,
        env=_env(bi_warehouse.path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    target = DBT_PROJECT / "target"
    target.mkdir(exist_ok=True)
    shutil.copy2(scratch / "semantic_manifest.json", target / "semantic_manifest.json")
    return target / "semantic_manifest.json"


def mf(warehouse: Path, *args: str, out: Path | None = None) -> subprocess.CompletedProcess:
    command = [str(BIN / "mf"), *args, *(["--csv", str(out)] if out else [])]
    return subprocess.run(
        command, cwd=DBT_PROJECT, env=_env(warehouse), capture_output=True, text=True, timeout=300
    )


def mf_rows(warehouse: Path, tmp_path: Path, metrics: str, group_by: str) -> list[dict]:
    out = tmp_path / "result.csv"
    result = mf(warehouse, "query", "--metrics", metrics, "--group-by", group_by, out=out)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with out.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _num(value) -> float | None:
    return None if value in (None, "") else float(value)


def _quarter(value: str) -> str:
    return str(value)[:10]


def _assert_same(mf_values: dict, mart_values: dict, tolerance: dict[str, float]):
    assert set(mf_values) == set(mart_values)
    for key, expected in mart_values.items():
        got = mf_values[key]
        for column, want in expected.items():
            have = got[column]
            if want is None:
                assert have is None, (key, column, have)
            else:
                assert have == pytest.approx(float(want), abs=tolerance[column]), (key, column)


def test_mf_validate_configs_passes(bi_warehouse):
    result = mf(bi_warehouse.path, "validate-configs")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Successfully validated metrics against data warehouse" in result.stdout


def test_campaign_metrics_equal_campaign_performance(bi_warehouse, tmp_path):
    rows = mf_rows(
        bi_warehouse.path,
        tmp_path,
        "spend,leads,cost_per_lead,roas,campaign_conversion",
        "metric_time__quarter,campaign__platform,campaign__campaign_id",
    )
    columns = ("spend", "leads", "cost_per_lead", "roas", "campaign_conversion")
    got = {
        (
            _quarter(r["metric_time__quarter"]),
            r["campaign__platform"],
            r["campaign__campaign_id"],
        ): {c: _num(r[c]) for c in columns}
        for r in rows
    }
    mart = {
        (str(q), platform, campaign): dict(zip(columns, values, strict=True))
        for q, platform, campaign, *values in bi_warehouse.query(
            "select period_start, platform, campaign_id, spend, leads, cost_per_lead, roas,"
            " conversion_rate from marts.campaign_performance"
            " where period_type = 'calendar_quarter'"
        )
    }
    assert len(mart) > 20
    # cost_per_lead is published to the cent, rates to 6 places
    tolerance = {"spend": 1e-9, "leads": 0, "cost_per_lead": CENT, "roas": 1e-6}
    _assert_same(got, mart, {**tolerance, "campaign_conversion": 1e-6})


def test_provider_metrics_equal_provider_performance_and_stay_withheld(bi_warehouse, tmp_path):
    rows = mf_rows(
        bi_warehouse.path,
        tmp_path,
        "provider_conversion,average_ticket,revenue_per_consult_slot",
        "metric_time__quarter,provider__provider_id",
    )
    columns = ("provider_conversion", "average_ticket", "revenue_per_consult_slot")
    got = {
        (_quarter(r["metric_time__quarter"]), r["provider__provider_id"]): {
            c: _num(r[c]) for c in columns
        }
        for r in rows
    }
    mart = {
        (str(q), provider): dict(zip(columns, values, strict=True))
        for q, provider, *values in bi_warehouse.query(
            "select period_start, provider_id, conversion_rate, avg_ticket,"
            " revenue_per_consult_slot from marts.provider_performance"
            " where period_type = 'calendar_quarter'"
        )
    }
    withheld = [k for k, v in mart.items() if v["provider_conversion"] is None]
    assert withheld and len(withheld) < len(mart)  # the sample has both kinds of rows
    # the mart rounds money to the cent (half away from zero) and rates to 6 places
    tolerance = {"provider_conversion": 1e-6, "average_ticket": CENT}
    _assert_same(got, mart, {**tolerance, "revenue_per_consult_slot": CENT})


def test_revenue_per_ad_dollar_equals_the_routing_mart_where_published(bi_warehouse, tmp_path):
    rows = mf_rows(
        bi_warehouse.path,
        tmp_path,
        "revenue_per_ad_dollar",
        "metric_time__quarter,campaign_provider__campaign_id,campaign_provider__provider_id",
    )
    got = {
        (
            _quarter(r["metric_time__quarter"]),
            r["campaign_provider__campaign_id"],
            r["campaign_provider__provider_id"],
        ): {"revenue_per_ad_dollar": _num(r["revenue_per_ad_dollar"])}
        for r in rows
    }
    # METRICS.md section 5: a campaign-provider row is about a person, withheld below
    # min_consults (20) mature consults
    mart = {
        (str(q), campaign, provider): {"revenue_per_ad_dollar": value}
        for q, campaign, provider, value in bi_warehouse.query(
            "select period_start, campaign_id, provider_id,"
            " case when consults_mature >= 20 then revenue_per_ad_dollar end"
            " from marts.campaign_provider_performance where period_type = 'calendar_quarter'"
            " and platform in ('google_ads', 'meta_ads')"
        )
    }
    got = {k: v for k, v in got.items() if k[1] in {c for _, c, _ in mart}}
    assert any(v["revenue_per_ad_dollar"] is not None for v in mart.values())
    _assert_same(got, mart, {"revenue_per_ad_dollar": 1e-6})


def test_clinic_consults_from_the_facts_add_up_to_the_provider_mart(bi_warehouse, tmp_path):
    rows = mf_rows(bi_warehouse.path, tmp_path, "consults,conversion", "metric_time__quarter")
    got = {
        _quarter(r["metric_time__quarter"]): {
            "consults": _num(r["consults"]),
            "conversion": _num(r["conversion"]),
        }
        for r in rows
    }
    mart = {
        str(q): {"consults": held, "conversion": rate}
        for q, held, rate in bi_warehouse.query(
            "select period_start, sum(consults_held),"
            " sum(consults_converted) / nullif(sum(consults_mature), 0)"
            " from marts.provider_performance where period_type = 'calendar_quarter'"
            " group by 1"
        )
    }
    _assert_same(got, mart, {"consults": 0, "conversion": 1e-9})


# every provider metric at the grain just below a quarter, and one at every finer grain
# (the same rule refuses them all: the provider facts are quarterly; mf starts in ~4 s)
@pytest.mark.parametrize(
    ("metric", "grain"),
    [
        ("provider_conversion", "month"),
        ("average_ticket", "month"),
        ("revenue_per_ad_dollar", "month"),
        ("provider_conversion", "week"),
        ("provider_conversion", "day"),
    ],
)
def test_provider_metrics_cannot_be_asked_for_below_a_quarter(bi_warehouse, metric, grain):
    result = mf(
        bi_warehouse.path, "query", "--metrics", metric, "--group-by", f"metric_time__{grain}"
    )
    assert result.returncode != 0, (metric, grain)
    assert "does not match any of the available group-by-items" in result.stdout


def test_the_clinic_conversion_has_no_provider_dimension(bi_warehouse):
    result = mf(bi_warehouse.path, "list", "dimensions", "--metrics", "conversion")
    assert result.returncode == 0, result.stdout[-2000:]
    assert "consultation__category" in result.stdout
    assert "provider" not in result.stdout.replace("provider_view", "")


def test_mf_reads_while_another_reader_holds_the_file(bi_warehouse, tmp_path):
    # DuckDB lets readers share a file but refuses a writer while one holds it: mf opening
    # the file read-only (the `reader` target) is what lets it run beside a BI tool
    with duckdb.connect(str(bi_warehouse.path), read_only=True):
        rows = mf_rows(bi_warehouse.path, tmp_path, "spend", "metric_time__quarter")
    assert rows
