"""leads from CSV and JSON-lines exports on fsspec paths (local files and memory://)."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed
from source_support import missing_canonical_columns, source_error

from ingestion.leads import CANONICAL, leads_source
from ingestion.leads.attribution import campaign_id, platform

TABLE = "raw_leads.leads"
CSV_HEADER = (
    "Lead ID,Created Time,Email,Phone Number,utm_source,utm_medium,utm_campaign,utm_id,gclid,fbclid"
)


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([CSV_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def run(make_pipeline):
    pipeline = make_pipeline("leads")

    def run_once(path: str, **options):
        return pipeline.run(leads_source(path=path, clinic_id="clinic_a", **options))

    return run_once


@pytest.mark.parametrize(
    ("tags", "expected_platform", "expected_campaign"),
    [
        ({"gclid": "Cj0KCQ"}, "google_ads", None),
        (
            {"utm_source": "google", "utm_medium": "cpc", "utm_id": "12345678901"},
            "google_ads",
            "12345678901",
        ),
        (
            {"utm_source": "adwords", "utm_campaign": "botox_spring_20391847561"},
            "google_ads",
            "20391847561",
        ),
        ({"utm_source": "google", "utm_medium": "organic"}, "organic", None),
        ({"fbclid": "IwAR0x"}, "meta_ads", None),
        (
            {"utm_source": "Instagram", "utm_campaign": "120210987654321000"},
            "meta_ads",
            "120210987654321000",
        ),
        ({"utm_source": "tiktok", "utm_medium": "paid"}, "tiktok_ads", None),
        ({"utm_source": "bing", "utm_medium": "cpc", "utm_campaign": "Brand"}, "other_paid", None),
        ({"utm_source": "partner-blog"}, "referral", None),
        (
            {"utm_source": "friend", "utm_medium": "referral", "utm_id": "123456789"},
            "referral",
            None,
        ),
        ({"utm_source": "mailchimp", "utm_medium": "email"}, "other", None),
        ({}, "other", None),
        ({"utm_source": "facebook", "campaign_id": "777"}, "meta_ads", "777"),
        # an export that names the platform keeps it; a value outside the set is ignored
        (
            {"platform": "organic", "utm_source": "instagram", "utm_medium": "social"},
            "organic",
            None,
        ),
        ({"platform": "Google Ads", "campaign_id": "g_101"}, "google_ads", "g_101"),
        ({"platform": "snapchat_ads", "fbclid": "IwAR0x"}, "meta_ads", None),
    ],
)
def test_platform_and_campaign_from_utm_and_click_ids(tags, expected_platform, expected_campaign):
    lead_platform = platform(tags)
    assert (lead_platform, campaign_id(tags, lead_platform)) == (
        expected_platform,
        expected_campaign,
    )


def test_csv_export_loads_canonical_columns_and_reloads_without_duplicates(tmp_path, run, query):
    export = write_csv(
        tmp_path / "leads.csv",
        "L1,2026-03-01T09:15:00-07:00,ana@example.com,(303) 555-0101,google,cpc,spring,12345678901,Cj0K,",
        "L2,2026-03-02 10:00:00,bo@example.com,,facebook,paid_social,120210000000000001,,,IwAR",
        "L3,2026-03-03T11:00:00Z,,303-555-0103,,,,,,",
    )

    run(str(export))
    run(str(export))

    assert query(f"select count(*) from {TABLE}") == [(3,)]
    assert missing_canonical_columns(query, "raw_leads", "leads") == set()
    columns = ", ".join(CANONICAL)
    assert query(f"select {columns} from {TABLE} order by lead_id")[0] == (
        "L1",
        "clinic_a",
        "2026-03-01T09:15:00-07:00",
        "ana@example.com",
        "(303) 555-0101",
        "google_ads",
        "12345678901",
        "google",
        "cpc",
        "spring",
        "Cj0K",
        None,
    )
    assert query(f"select lead_id, platform, campaign_id, created_at from {TABLE} order by 1") == [
        ("L1", "google_ads", "12345678901", "2026-03-01T09:15:00-07:00"),
        ("L2", "meta_ads", "120210000000000001", "2026-03-02 10:00:00"),
        ("L3", "other", None, "2026-03-03T11:00:00Z"),  # timestamps stay as the export wrote them
    ]


def test_jsonl_drops_on_a_glob_later_file_updates_a_lead(tmp_path, run, query):
    (tmp_path / "drops").mkdir()
    first = [
        {
            "id": "A1",
            "created_time": "2026-03-01T08:00:00",
            "email": "a@example.com",
            "utm_source": "google",
            "utm_medium": "cpc",
        },
        {"id": "A2", "created_time": "2026-03-01T09:00:00", "fbclid": "IwAR"},
    ]
    second = [
        {
            "id": "A1",
            "created_time": "2026-03-01T08:00:00",
            "email": "a.new@example.com",
            "gclid": "Cj0",
            "utm_campaign": "14411441144",
        }
    ]
    for name, leads in (("leads_2026-03-01.jsonl", first), ("leads_2026-03-02.jsonl", second)):
        (tmp_path / "drops" / name).write_text("\n".join(json.dumps(x) for x in leads) + "\n")

    run(str(tmp_path / "drops" / "leads_*.jsonl"))

    assert query(f"select lead_id, email, platform, campaign_id from {TABLE} order by 1") == [
        ("A1", "a.new@example.com", "google_ads", "14411441144"),
        ("A2", None, "meta_ads", None),
    ]


def test_any_fsspec_path_works(run, query):
    with fsspec.open("memory://exports/crm.csv", "w") as handle:
        handle.write("id,created_at,email\nM1,2026-03-05T12:00:00,m@example.com\n")

    run("memory://exports/crm.csv")

    assert query(f"select lead_id, platform from {TABLE}") == [("M1", "other")]


def test_an_export_without_an_id_column_fails_and_keeps_loaded_leads(tmp_path, run, query):
    good = write_csv(tmp_path / "good.csv", "L1,2026-03-01T09:00:00,a@example.com,,,,,,,")
    run(str(good))
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Created Time\nAna,2026-03-02T09:00:00\n")

    with pytest.raises(PipelineStepFailed) as failure:
        run(str(bad))

    assert "bad.csv has no lead_id column" in str(source_error(failure.value))
    assert query(f"select lead_id from {TABLE}") == [("L1",)]


def test_a_column_map_names_unusual_headers(tmp_path, run, query):
    export = tmp_path / "crm.csv"
    export.write_text("Lead Number,Submitted On,Source\nX9,2026-03-04T10:00:00,google\n")

    run(
        str(export),
        column_map={"Lead Number": "lead_id", "Submitted On": "created_at", "Source": "utm_source"},
    )

    assert query(f"select lead_id, created_at, platform from {TABLE}") == [
        ("X9", "2026-03-04T10:00:00", "google_ads")
    ]


def test_a_platform_column_in_the_export_is_kept(tmp_path, run, query):
    export = tmp_path / "leads.csv"
    export.write_text(
        "lead_id,created_at,email,platform,utm_source,utm_medium\n"
        "L1,2026-03-01T10:00:00Z,a@example.com,referral,instagram,social\n"
        "L2,2026-03-01T11:00:00Z,b@example.com,,instagram,social\n",
        encoding="utf-8",
    )
    run(str(export))
    assert query(f"select lead_id, platform from {TABLE} order by lead_id") == [
        ("L1", "referral"),
        ("L2", "meta_ads"),
    ]
