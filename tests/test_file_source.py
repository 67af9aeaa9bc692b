"""The dlt file source: typing rules, quarantine, file-level refusals, load state."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from ingestion.files.entities import ENTITIES

APPOINTMENT_HEADER = (
    "appointment_id,location_id,patient_id,provider_id,service_id,"
    "booked_at,start_at,end_at,status,cancelled_at,updated_at"
)
APPOINTMENTS = [
    APPOINTMENT_HEADER,
    "a1,loc_1,p1,pr1,s1,2025-01-01T10:00:00Z,2025-01-02T10:00:00-07:00,2025-01-02 11:00:00,completed,,2025-01-02T12:00:00Z",
    "a2,loc_1,p1,pr1,s1,not-a-date,2025-01-02T10:00:00,2025-01-02T11:00:00,showed,,2025-01-02T12:00:00Z",
    ",loc_1,p1,pr1,s1,2025-01-01,2025-01-02,2025-01-02,booked,,2025-01-01",
    "a4,loc_1,p1,pr1,s1,2025-02-30T10:00:00,2025-01-02,2025-01-02,booked,,2025-01-01",
    "a5,loc_1,p1",
]


def write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_rows_load_as_text_and_bad_rows_are_quarantined_with_reasons(tmp_path, raw_loader):
    write(tmp_path / "in", "appointments.csv", APPOINTMENTS)
    raw_loader.load(tmp_path / "in")

    loaded = raw_loader.query(
        "select appointment_id, start_at, _file_name, _row_number from raw_files.appointments"
    )
    assert loaded == [("a1", "2025-01-02T10:00:00-07:00", "appointments.csv", 1)]

    quarantined = raw_loader.query(
        "select row_number, record_key, reason from raw_files.quarantine order by row_number"
    )
    assert quarantined == [
        (2, "a2", "unparseable timestamp in booked_at: 'not-a-date'; unknown status: 'showed'"),
        (3, None, "missing key appointment_id"),
        (4, "a4", "unparseable timestamp in booked_at: '2025-02-30T10:00:00'"),
        (5, None, "expected 11 fields, got 3"),
    ]
    # the quarantined row keeps what was read, so nothing is lost
    record = raw_loader.query("select record from raw_files.quarantine where row_number = 2")[0][0]
    assert '"status":"showed"' in record


@pytest.mark.parametrize(
    ("entity", "column", "bad_value", "reason"),
    [
        ("services", "category", "botox", "unknown category: 'botox'"),
        ("services", "is_consultation", "maybe", "not true/false in is_consultation: 'maybe'"),
        ("invoice_lines", "item_type", "voucher", "unknown item_type: 'voucher'"),
        ("invoice_lines", "invoice_status", "paid", "unknown invoice_status: 'paid'"),
        ("invoice_lines", "unit_price", "12,5x", "unparseable number in unit_price: '12,5x'"),
        ("ad_spend", "platform", "myspace", "unknown platform: 'myspace'"),
        ("ad_spend", "clicks", "1.5", "unparseable integer in clicks: '1.5'"),
        ("ad_spend", "date", "2025-13-01", "unparseable date in date: '2025-13-01'"),
        ("locations", "timezone", "Mars/Olympus", "unknown timezone in timezone: 'Mars/Olympus'"),
    ],
)
def test_each_typing_rule_quarantines_its_value(
    tmp_path, raw_loader, entity, column, bad_value, reason
):
    spec = ENTITIES[entity]
    good = {c.name: _good_value(c.kind, c.values) for c in spec.columns}
    bad = {**good, column: bad_value}
    if column in spec.key:  # keep the two rows distinct
        good = {**good, spec.key[-1]: good[spec.key[-1]] + "x"} if column != spec.key[-1] else good
    write(
        tmp_path / "in",
        f"{entity}.csv",
        [",".join(spec.column_names), _row(good, spec), _row(bad, spec)],
    )
    raw_loader.load(tmp_path / "in")

    assert raw_loader.query(f"select count(*) from raw_files.{entity}") == [(1,)]
    assert raw_loader.query("select entity, row_number, reason from raw_files.quarantine") == [
        (entity, 2, reason)
    ]


def _good_value(kind: str, values: tuple[str, ...]) -> str:
    return {
        "timestamp": "2025-03-01T09:00:00",
        "date": "2025-03-01",
        "decimal": "12.50",
        "integer": "7",
        "boolean": "true",
        "timezone": "America/Denver",
        "enum": values[0] if values else "",
    }.get(kind, "k1")


def _row(values: dict[str, str], spec) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values[c] for c in spec.column_names])
    return out.getvalue()


def test_missing_required_column_refuses_that_file_and_loads_the_rest(tmp_path, raw_loader):
    folder = tmp_path / "in"
    write(folder, "appointments.csv", APPOINTMENTS[:2])
    write(folder, "locations.csv", ["location_id,clinic_id,name", "loc_1,c1,Main"])
    raw_loader.load(folder)

    assert raw_loader.refused == [
        (
            "locations",
            "locations.csv: missing required column(s) timezone (found: location_id, clinic_id, name)",
        )
    ]
    assert raw_loader.query("select count(*) from raw_files.appointments") == [(1,)]
    assert raw_loader.query("select count(*) from raw_files.locations") == [(0,)]
    assert raw_loader.query(
        "select file_name, row_number from raw_files.quarantine where entity = 'locations'"
    ) == [("locations.csv", 0)]


def test_non_utf8_file_is_refused_with_its_row(tmp_path, raw_loader):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "locations.csv").write_bytes(
        b"location_id,clinic_id,name,timezone\nloc_1,c1,Caf\xe9,America/Denver\n"
    )
    raw_loader.load(folder)
    assert raw_loader.refused and "not UTF-8 at data row 1" in raw_loader.refused[0][1]


def test_second_load_of_same_folder_adds_nothing(tmp_path, raw_loader):
    write(tmp_path / "in", "appointments.csv", APPOINTMENTS)
    raw_loader.load(tmp_path / "in")
    assert raw_loader.rows_extracted()["appointments"] == 1
    before = raw_loader.query("select * from raw_files.appointments order by all")
    raw_loader.load(tmp_path / "in")

    assert raw_loader.query("select * from raw_files.appointments order by all") == before
    assert raw_loader.query("select count(*) from raw_files.quarantine") == [(4,)]
    # the second run read no file again
    assert raw_loader.rows_extracted().get("appointments", 0) == 0
    assert raw_loader.rows_extracted().get("quarantine", 0) == 0


def test_new_file_in_folder_is_loaded_and_old_one_is_not_reread(tmp_path, raw_loader):
    folder = tmp_path / "in"
    write(folder, "appointments.csv", APPOINTMENTS[:2])
    raw_loader.load(folder)
    write(
        folder,
        "appointments_2025-01-03.csv",
        [APPOINTMENT_HEADER, APPOINTMENTS[1].replace("completed", "no_show")],
    )
    raw_loader.load(folder)

    assert raw_loader.query(
        "select _file_name, status from raw_files.appointments order by _file_name"
    ) == [("appointments.csv", "completed"), ("appointments_2025-01-03.csv", "no_show")]


def test_state_belongs_to_the_warehouse(tmp_path, raw_loader):
    write(tmp_path / "in", "appointments.csv", APPOINTMENTS[:2])
    raw_loader.load(tmp_path / "in")

    other = type(raw_loader)(tmp_path / "other.duckdb", tmp_path / "dlt-other")
    other.load(tmp_path / "in")
    assert other.query("select count(*) from raw_files.appointments") == [(1,)]
