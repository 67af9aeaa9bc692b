"""The dlt file source: typing rules, quarantine, file-level refusals, load state."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import duckdb
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


def test_only_a_key_repeated_with_other_values_and_no_later_version_is_quarantined(
    tmp_path, raw_loader
):
    slot = "loc_1,p1,pr1,s1,2025-01-01T10:00:00Z,2025-01-02T10:00:00,2025-01-02T11:00:00"
    write(
        tmp_path / "in",
        "appointments.csv",
        [
            APPOINTMENT_HEADER,
            f"same,{slot},booked,,2025-01-01T12:00:00Z",  # 1: repeated as it is
            f"clash,{slot},booked,,2025-01-01T12:00:00Z",  # 2: other status, same version
            f"moved,{slot},booked,,2025-01-01T12:00:00Z",  # 3: a later version follows
            f" same ,{slot},booked,,2025-01-01T12:00:00Z",  # 4: the same once trimmed
            f"clash,{slot},completed,,2025-01-01T12:00:00Z",  # 5: kept
            f"moved,{slot},completed,,2025-01-02T12:00:00Z",  # 6
            f"three,{slot},booked,,2025-01-01T12:00:00Z",  # 7
            f"three,{slot},completed,,2025-01-01T12:00:00Z",  # 8
            f"three,{slot},booked,,2025-01-01T12:00:00Z",  # 9: kept, as the last row
        ],
    )
    raw_loader.load(tmp_path / "in")

    assert raw_loader.query(
        "select row_number, reason from raw_files.quarantine order by row_number"
    ) == [
        (2, "duplicate appointment_id 'clash' with other values in this file (row 5 is kept)"),
        (7, "duplicate appointment_id 'three' with other values in this file (row 9 is kept)"),
        (8, "duplicate appointment_id 'three' with other values in this file (row 9 is kept)"),
    ]
    loaded = raw_loader.query("select _row_number from raw_files.appointments order by 1")
    assert [n for (n,) in loaded] == [1, 3, 4, 5, 6, 9]


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


def _rewrite_appointments(folder: Path, status: str, rows: int = 50) -> None:
    lines = [APPOINTMENT_HEADER] + [
        APPOINTMENTS[1].replace("a1,", f"a{i},").replace("completed", status) for i in range(rows)
    ]
    write(folder, "appointments.csv", lines)


def test_a_changed_file_replaces_its_rows(tmp_path, raw_loader):
    folder = tmp_path / "in"
    _rewrite_appointments(folder, "completed")
    raw_loader.load(folder)
    _rewrite_appointments(folder, "no_show", rows=30)
    raw_loader.load(folder)

    assert raw_loader.query(
        "select status, count(*), count(distinct appointment_id) from raw_files.appointments"
        " group by status"
    ) == [("no_show", 30, 30)]


def test_a_file_rewritten_with_the_same_bytes_is_not_read_again(tmp_path, raw_loader):
    folder = tmp_path / "in"
    write(folder, "appointments.csv", APPOINTMENTS)
    raw_loader.load(folder)
    before = raw_loader.query("select * from raw_files.appointments order by all")
    write(folder, "appointments.csv", APPOINTMENTS)  # a regenerated export: new stamp
    os.utime(folder / "appointments.csv", (1, 1))
    raw_loader.load(folder)

    assert raw_loader.rows_extracted().get("appointments", 0) == 0
    assert raw_loader.rows_extracted().get("quarantine", 0) == 0
    assert raw_loader.query("select * from raw_files.appointments order by all") == before
    assert raw_loader.query("select count(*) from raw_files.quarantine") == [(4,)]


def _merge_delete_plans(monkeypatch) -> list[str]:
    """Collects the merge's deletes (matching old rows to new ones) to explain later."""
    from dlt.destinations.impl.duckdb.sql_client import DuckDbSqlClient

    deletes: list[str] = []
    original = DuckDbSqlClient.execute_query

    def recording(self, query, *args, **kwargs):
        deletes.extend(
            s.strip()
            for s in str(query).split(";\n")
            if s.strip().upper().startswith("DELETE") and "EXISTS" in s.upper()
        )
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(DuckDbSqlClient, "execute_query", recording)
    return deletes


def _join_types(warehouse: Path, statements: list[str]) -> list[list[str]]:
    """The join types in each statement's DuckDB plan (a right semi join is a semi join
    with the sides swapped)."""
    with duckdb.connect(str(warehouse)) as con:
        plans = [con.sql(f"explain {s.rstrip(';')}").fetchall()[0][1] for s in statements]
    return [re.findall(r"Join Type: (?:RIGHT_)?(\w+)", plan) for plan in plans]


def test_replacing_a_files_rows_is_one_semi_join_on_the_file(tmp_path, raw_loader, monkeypatch):
    # With primary keys beside the merge key, dlt ORs the two in the delete; DuckDB then
    # joins every old row of a file to every new one (an inner join on the file name),
    # and a re-read of a 100k-row export ran for minutes and filled its temp folder.
    folder = tmp_path / "in"
    _rewrite_appointments(folder, "completed")
    raw_loader.load(folder)
    deletes = _merge_delete_plans(monkeypatch)
    _rewrite_appointments(folder, "no_show")
    raw_loader.load(folder)

    assert any('"raw_files"."appointments"' in s for s in deletes), deletes
    assert _join_types(raw_loader.warehouse, deletes) == [["SEMI"]] * len(deletes)


def _with_legacy_primary_keys(monkeypatch) -> None:
    """The hints earlier versions declared: primary keys beside every merge key."""
    import ingestion.files as files

    monkeypatch.setitem(
        files._QUARANTINE_HINTS, "primary_key", ["entity", "file_name", "row_number"]
    )
    monkeypatch.setitem(files._LOADED_FILES_HINTS, "primary_key", ["entity", "file_name"])
    entity_resource = files._entity_resource

    def keyed(entity, *args):
        resource = entity_resource(entity, *args)
        resource.apply_hints(primary_key=[*entity.key, "_file_name", "_row_number"])
        return resource

    monkeypatch.setattr(files, "_entity_resource", keyed)


def test_primary_keys_left_by_earlier_versions_are_dropped(tmp_path, raw_loader, monkeypatch):
    from ingestion.files import SCHEMA_NAME, drop_legacy_primary_keys

    folder = tmp_path / "in"
    _rewrite_appointments(folder, "completed")
    with pytest.MonkeyPatch.context() as legacy:
        _with_legacy_primary_keys(legacy)
        raw_loader.load(folder)
    stored = raw_loader.pipeline.schemas[SCHEMA_NAME].tables["appointments"]["columns"]
    assert stored["appointment_id"].get("primary_key")  # the legacy warehouse

    drop_legacy_primary_keys(raw_loader.new_pipeline())  # as the asset does before a run
    _rewrite_appointments(folder, "no_show")
    deletes = _merge_delete_plans(monkeypatch)
    raw_loader.load(folder)  # a new pipeline: its schema comes back from the warehouse

    for table in raw_loader.pipeline.default_schema.data_tables():
        assert not any(c.get("primary_key") for c in table["columns"].values()), table["name"]
    assert _join_types(raw_loader.warehouse, deletes) == [["SEMI"]] * len(deletes)
    assert raw_loader.query("select distinct status from raw_files.appointments") == [("no_show",)]
