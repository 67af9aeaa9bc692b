"""--map MAP.toml: one test per kind of map rule, the unknown name, the up-front
validation, and the shipped example, which loads to the same marts as the sample (and
which `check --map` judges as the real run does)."""

from __future__ import annotations

import os
import textwrap

import duckdb
import pytest
from e2e.conftest import Built, run_cli

from ingestion.demo.emr_example import build_example
from ingestion.files.dryrun import dry_run
from ingestion.files.entities import ENTITIES
from ingestion.files.map_file import MapError, load_map
from ingestion.files.mapping import NameLookups, read_export
from ingestion.files.validate import split_rows
from intake.conftest import SAMPLE, landed
from orchestration.cli.check import staging_references
from orchestration.cli.commands import main
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import DATA_DIR, MAP_ENV

EXAMPLE = DATA_DIR / "examples" / "emr_export"
EXAMPLE_MAP = DATA_DIR / "examples" / "emr_map.toml"
APPOINTMENTS = ENTITIES["appointments"]
REPORT_HEADER = "Appt ID,Location,Client,Provider,Service,Booked,Start,End,Status,Updated\n"
BASE_MAP = """
[appointments.columns]
appointment_id = "Appt ID"
location_id = "Location"
patient_id = "Client"
service_id = "Service"
booked_at = "Booked"
start_at = "Start"
end_at = "End"
status = "Status"
updated_at = "Updated"
[appointments.lookups.provider_id]
column = "Provider"
through = "providers"
"""


@pytest.fixture
def folder(tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    (out / "providers.csv").write_text(
        "provider_id,location_id,name,role,active\n"
        "p1,loc_1,Ana Diaz,RN,true\n"
        "p2,loc_1,Ben Ode,NP,true\n"
        "p3,loc_1,Ben Ode,PA,true\n"  # two providers share a name
    )
    return out


def _read(folder, map_text: str, rows: list[str], entity=APPOINTMENTS, header=REPORT_HEADER):
    (folder / "map.toml").write_text(textwrap.dedent(map_text))
    export_map = load_map(folder / "map.toml")
    raw = (header + "".join(r + "\n" for r in rows)).encode()
    parsed = read_export(entity, "x.csv", raw, export_map, NameLookups(str(folder), export_map))
    with duckdb.connect() as con:
        good, bad = split_rows(con, entity, parsed.table, "x.csv")
    return parsed.table.to_pylist(), good.to_pylist(), bad.to_pylist()


ISO_ROW = "a1,loc_1,pat_1,Ana Diaz,s1,2026-10-01T09:00:00,2026-10-02T09:00:00,2026-10-02T10:00:00,{status},2026-10-02T10:00:00"


def test_renamed_columns_are_read_under_their_canonical_names(folder):
    rows, good, bad = _read(folder, BASE_MAP, [ISO_ROW.format(status="completed")])
    assert bad == []
    assert {k: good[0][k] for k in ("appointment_id", "location_id", "patient_id", "start_at")} == {
        "appointment_id": "a1",
        "location_id": "loc_1",
        "patient_id": "pat_1",
        "start_at": "2026-10-02T09:00:00",
    }


def test_value_maps_turn_labels_into_canonical_values_and_never_guess(folder):
    values = (
        BASE_MAP
        + '[appointments.values.status]\n"Checked Out" = "completed"\n"No Show" = "no_show"\n'
    )
    _, good, bad = _read(
        folder,
        values,
        [
            ISO_ROW.format(status="Checked Out"),
            ISO_ROW.replace("a1", "a2").format(status="  no show "),
            ISO_ROW.replace("a1", "a3").format(status="Rescheduled"),
        ],
    )
    assert [(g["appointment_id"], g["status"]) for g in good] == [
        ("a1", "completed"),
        ("a2", "no_show"),
    ]
    assert [b["reason"] for b in bad] == ["unknown status: 'Rescheduled'"]


def test_a_timestamp_format_reads_us_dates_and_leaves_other_forms_to_the_rules(folder):
    fmt = 'timestamp_format = "%m/%d/%Y %I:%M %p"\n' + BASE_MAP
    us = "a1,loc_1,pat_1,Ana Diaz,s1,11/01/2026 9:00 AM,11/02/2026 3:45 PM,2026-11-02T16:45:00-07:00,completed,11/02/2026 04:50 PM"
    bad_day = us.replace("a1", "a2").replace("11/02/2026 3:45 PM", "31/02/2026 3:45 PM")
    rows, good, bad = _read(folder, fmt, [us, bad_day])
    assert (good[0]["booked_at"], good[0]["start_at"], good[0]["end_at"]) == (
        "2026-11-01T09:00:00",
        "2026-11-02T15:45:00",
        "2026-11-02T16:45:00-07:00",  # already ISO: kept as written
    )
    assert [b["reason"] for b in bad] == ["unparseable timestamp in start_at: '31/02/2026 3:45 PM'"]


def test_a_default_time_zone_turns_naive_times_into_instants(folder):
    zoned = 'timezone = "America/Denver"\ntimestamp_format = "%m/%d/%Y %I:%M %p"\n' + BASE_MAP
    row = "a1,loc_1,pat_1,Ana Diaz,s1,07/01/2026 9:00 AM,11/02/2026 3:45 PM,2026-11-02T23:45:00Z,completed,11/02/2026 04:50 PM"
    _, good, _ = _read(folder, zoned, [row])
    assert good[0]["booked_at"] == "2026-07-01T15:00:00Z"  # MDT, UTC-6
    assert good[0]["start_at"] == "2026-11-02T22:45:00Z"  # MST, UTC-7: daylight time ended
    assert good[0]["end_at"] == "2026-11-02T23:45:00Z"  # had a zone: kept


def test_a_date_format_reads_dates(folder):
    spend = ENTITIES["ad_spend"]
    header = ",".join(c for c in spend.column_names) + "\n"
    _, good, bad = _read(
        folder,
        '[ad_spend]\ndate_format = "%m/%d/%Y"\n',
        ["11/02/2026,google_ads,g1,c1,acc,Brand,10.00,100,5,USD"],
        entity=spend,
        header=header,
    )
    assert bad == [] and good[0]["date"] == "2026-11-02"


def test_ids_are_looked_up_by_name_and_an_unknown_name_is_quarantined(folder):
    rows = [
        ISO_ROW.format(status="completed").replace("Ana Diaz", "  ana DIAZ "),
        ISO_ROW.replace("a1", "a2").replace("Ana Diaz", "Dr. Nobody").format(status="completed"),
        ISO_ROW.replace("a1", "a3").replace("Ana Diaz", "Ben Ode").format(status="completed"),
    ]
    _, good, bad = _read(folder, BASE_MAP, rows)
    assert [(g["appointment_id"], g["provider_id"]) for g in good] == [("a1", "p1")]
    assert [(b["record_key"], b["reason"]) for b in bad] == [
        ("a2", "unknown provider_id: no providers row has name 'Dr. Nobody'"),
        ("a3", "ambiguous provider_id: 2 providers rows have name 'Ben Ode'"),
    ]


@pytest.mark.parametrize(
    ("map_text", "message"),
    [
        ("[appointment]\n", "appointment is not an entity or a setting"),
        ('[appointments.columns]\nstart = "Start"\n', "start is not a column of appointments"),
        ('[appointments.values.status]\n"Done" = "finished"\n', "finished is not one of booked"),
        ('[appointments]\ntimezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
        (
            '[appointments.lookups.provider_id]\ncolumn = "P"\nthrough = "staff"\n',
            "through must name",
        ),
        ("[appointments\n", "not a readable TOML file"),
    ],
)
def test_a_bad_map_is_one_clear_error(tmp_path, map_text, message):
    (tmp_path / "map.toml").write_text(map_text)
    with pytest.raises(MapError, match=message):
        load_map(tmp_path / "map.toml")


def test_a_mapped_column_the_export_lacks_stops_check_and_run_up_front(folder, capsys):
    (folder / "appointments_report.csv").write_text(REPORT_HEADER.replace("Provider,", "Staff,"))
    (folder / "map.toml").write_text(BASE_MAP)
    for command in ("check", "run"):
        args = [command, "--inputs", str(folder), "--map", str(folder / "map.toml")]
        if command == "run":
            args += ["--warehouse", str(folder / "never.duckdb")]
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            f"provider-view {command}: map.toml: [appointments] reads provider_id from column"
            f" 'provider', which appointments_report.csv does not have (it has: appt id,"
            " location, client, staff, service, booked, start, end, status, updated)"
        ]
    assert not (folder / "never.duckdb").exists()


def test_the_map_reaches_the_file_source_of_dagster_runs(monkeypatch):
    monkeypatch.setenv(MAP_ENV, "/maps/from_env.toml")
    assert WarehouseResource().map_path() == "/maps/from_env.toml"
    assert WarehouseResource(column_map="/maps/given.toml").map_path() == "/maps/given.toml"


def test_the_example_is_the_sample_as_an_emr_exports_it(tmp_path):
    build_example(SAMPLE, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in EXAMPLE.iterdir())
    for path in EXAMPLE.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
    checked = dry_run(str(EXAMPLE), staging_references(), load_map(EXAMPLE_MAP))
    canonical = dry_run(str(SAMPLE), staging_references())
    assert [v.staged for v in checked.entities] == [v.staged for v in canonical.entities]


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("example")
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    env.pop(MAP_ENV, None)
    warehouse = root / "warehouse.duckdb"
    result = run_cli(
        env,
        "run",
        "--inputs",
        str(EXAMPLE),
        "--map",
        str(EXAMPLE_MAP),
        "--warehouse",
        str(warehouse),
    )
    return Built(EXAMPLE, warehouse, {}, env, result.stdout)


@pytest.mark.slow
def test_the_example_loads_to_the_same_marts_as_its_canonical_twin(example_run, sample_run):
    with duckdb.connect() as con:
        con.execute(f"attach '{example_run.warehouse}' as example (read_only)")
        con.execute(f"attach '{sample_run.warehouse}' as sample (read_only)")
        marts = [
            t
            for (t,) in con.sql(
                "select table_name from information_schema.tables"
                " where table_catalog = 'sample' and table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        assert "provider_performance" in marts and len(marts) >= 10
        for mart in marts:
            rows = con.sql(f"select count(*) from sample.marts.{mart}").fetchall()[0][0]
            differ = con.sql(
                f"""select count(*) from (
                    (select * from sample.marts.{mart} except all select * from example.marts.{mart})
                    union all
                    (select * from example.marts.{mart} except all select * from sample.marts.{mart}))"""
            ).fetchall()[0][0]
            assert differ == 0, f"marts.{mart}: {differ} of {rows} rows differ"
    checked = dry_run(str(EXAMPLE), staging_references(), load_map(EXAMPLE_MAP))
    assert {v.entity: (v.staged, v.quarantined, v.superseded) for v in checked.entities} == (
        landed(example_run)
    )
    quarantine = example_run.query(
        "select record_key, reason from staging.stg_files__quarantine where entity = 'appointments'"
    )
    assert quarantine == [
        ("apt_9000101", "unknown provider_id: no providers row has name 'Dr. Nobody'")
    ]
