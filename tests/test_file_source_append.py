"""The file source appends files whose rows are not in raw yet (no copy through dlt's
staging dataset) and merges on the file whenever one of them is (issue 13)."""

from __future__ import annotations

import shutil
from pathlib import Path

from dlt.destinations.impl.duckdb.sql_client import DuckDbSqlClient

STAGED = '"raw_files_staging"."appointments"'
APPOINTMENT_HEADER = (
    "appointment_id,location_id,patient_id,provider_id,service_id,"
    "booked_at,start_at,end_at,status,cancelled_at,updated_at"
)
ROW = "a1,loc_1,p1,pr1,s1,2025-01-01T10:00:00Z,2025-01-02T10:00:00Z,2025-01-02T11:00:00Z,completed,,2025-01-02T12:00:00Z"
APPOINTMENTS = [APPOINTMENT_HEADER, ROW]


def write(folder: Path, name: str, lines: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _statements(monkeypatch) -> list[str]:
    seen: list[str] = []
    original = DuckDbSqlClient.execute_query

    def recording(self, query, *args, **kwargs):
        seen.append(str(query))
        return original(self, query, *args, **kwargs)

    monkeypatch.setattr(DuckDbSqlClient, "execute_query", recording)
    return seen


def _day(folder: Path, day: str, status: str) -> None:
    row = ROW.replace("a1,", f"a{day},").replace("completed", status)
    write(folder, f"appointments_2025-01-{day}.csv", [APPOINTMENT_HEADER, row])


def test_new_files_are_appended_without_the_staging_copy(tmp_path, raw_loader, monkeypatch):
    folder = tmp_path / "in"
    write(folder, "appointments.csv", APPOINTMENTS)
    statements = _statements(monkeypatch)
    raw_loader.load(folder)
    _day(folder, "03", "no_show")
    raw_loader.load(folder)

    assert not [s for s in statements if STAGED in s]
    assert any('INSERT INTO "raw_files"."appointments"' in s for s in statements)
    assert raw_loader.query(
        "select _file_name, appointment_id, status, _deleted from raw_files.appointments"
        " order by _file_name"
    ) == [
        ("appointments.csv", "a1", "completed", None),
        ("appointments_2025-01-03.csv", "a03", "no_show", None),
    ]


def test_a_changed_file_beside_a_new_one_is_merged(tmp_path, raw_loader, monkeypatch):
    folder = tmp_path / "in"
    write(folder, "appointments.csv", APPOINTMENTS)
    raw_loader.load(folder)
    statements = _statements(monkeypatch)
    write(folder, "appointments.csv", [APPOINTMENT_HEADER, ROW.replace("a1,", "b1,")])
    _day(folder, "03", "no_show")
    raw_loader.load(folder)

    assert any(STAGED in s for s in statements)
    assert raw_loader.query(
        "select _file_name, appointment_id from raw_files.appointments order by 1"
    ) == [("appointments.csv", "b1"), ("appointments_2025-01-03.csv", "a03")]
    assert raw_loader.query("select count(*) from raw_files.appointments where _deleted") == [(0,)]


def test_rows_the_state_does_not_know_are_replaced_not_doubled(tmp_path, raw_loader):
    # The same file names read from another folder (or after a load whose state was
    # never saved): the load state does not know the files, the raw table holds them.
    write(tmp_path / "in", "appointments.csv", APPOINTMENTS)
    _day(tmp_path / "in", "03", "no_show")
    raw_loader.load(tmp_path / "in")
    shutil.copytree(tmp_path / "in", tmp_path / "moved")
    raw_loader.load(tmp_path / "moved")

    assert raw_loader.rows_extracted()["appointments"] == 2  # read again: new locations
    assert raw_loader.query(
        "select _file_name, count(*) from raw_files.appointments group by 1 order by 1"
    ) == [("appointments.csv", 1), ("appointments_2025-01-03.csv", 1)]


def test_a_row_longer_than_a_parse_block_is_read_whole():
    from ingestion.files import reader

    note = ("y" * 999 + "\n") * ((reader._BLOCK_SIZE >> 10) + 10)  # quoted, with line breaks
    raw = f'a,b\n1,2\n3,"{note}"\n4,5\n'.encode()
    parsed = reader.parse_export("t.csv", raw, ["a", "b"], ["a"])

    assert parsed.table["a"].to_pylist() == ["1", "3", "4"]
    assert parsed.table["b"].to_pylist()[1] == note
    assert parsed.rejected == []
