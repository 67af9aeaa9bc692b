"""data/sample: small, reproducible, and a first run on it lands every planted bad row in
the quarantine with its reason."""

from __future__ import annotations

import pytest

from ingestion.demo.sample import END_DATE, build_sample, planted
from intake.conftest import sample_files


def test_sample_is_small_and_reproducible(tmp_path):
    files = sample_files()
    assert sum(p.stat().st_size for p in files) < 1_000_000
    counts = build_sample(tmp_path)
    assert sorted(counts) == [p.name for p in files]
    for path in files:
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.slow
def test_sample_has_two_locations_in_two_zones_and_three_months(sample_run):
    zones = sample_run.query("select distinct timezone from staging.stg_files__locations")
    assert sorted(z for (z,) in zones) == ["America/Denver", "America/Phoenix"]
    first, last = sample_run.query(
        "select min(start_date), max(start_date) from staging.stg_files__appointments"
    )[0]
    assert 85 <= (last - first).days <= 95
    providers = sample_run.query("select count(*) from staging.stg_files__providers")[0][0]
    assert 3 <= providers <= 8


@pytest.mark.slow
def test_run_on_the_sample_quarantines_exactly_the_planted_rows(sample_run):
    assert "done in" in sample_run.output
    quarantine = sample_run.query(
        "select entity, coalesce(record_key, ''), reason from staging.stg_files__quarantine"
    )
    bad = planted(END_DATE)
    assert len(quarantine) == len(bad)
    assert len({p.reason.split(":")[0] for p in bad}) == len(bad)  # one kind of refusal each
    for p in bad:
        hits = [q for q in quarantine if q[0] == p.entity and q[1] == p.key]
        assert len(hits) == 1, f"{p.entity} {p.key!r} not quarantined once: {quarantine}"
        assert p.reason in hits[0][2]


@pytest.mark.slow
def test_the_sample_builds_provider_metrics(sample_run):
    rows = sample_run.query(
        "select count(*), count(conversion_rate), count(avg_ticket)"
        " from marts.provider_performance where period_type = 'trailing_90d'"
    )[0]
    assert rows[0] == 5  # the five providers active in the window
    assert rows[1] == rows[2] == 5  # enough consults and tickets: nothing withheld
