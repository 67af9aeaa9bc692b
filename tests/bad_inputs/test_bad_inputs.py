"""Every kind of bad input ends in a clear error naming the file (row, column) or in a
quarantine row with its reason, and the rest of the file and folder still loads."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
import pytest

from ingestion.files import file_exports

from .corpus import ACCEPTED, CASES, ERRORS, QUARANTINED, Case, write_cases


class Loaded:
    def __init__(self, warehouse: Path, refused: list[tuple[str, str]]):
        self.warehouse = warehouse
        self.refused = refused

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Loaded:
    """The whole corpus in one folder, loaded once by the file source."""
    root = tmp_path_factory.mktemp("bad_inputs")
    write_cases(root / "in", CASES)
    refused: list[tuple[str, str]] = []
    pipeline = dlt.pipeline(
        pipeline_name="files",
        destination=dlt.destinations.duckdb(str(root / "warehouse.duckdb")),
        dataset_name="raw_files",
        pipelines_dir=str(root / "dlt"),
    )
    pipeline.run(file_exports(str(root / "in"), on_file_error=lambda e, m: refused.append((e, m))))
    return Loaded(root / "warehouse.duckdb", refused)


def test_the_corpus_covers_thirty_kinds_of_bad_input():
    kinds = [c.kind for c in ERRORS + QUARANTINED]
    assert len(set(kinds)) == len(kinds) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.kind)
def test_a_file_refused_whole_is_named_with_its_row_and_column(loaded, case: Case):
    messages = [m for e, m in loaded.refused if e == case.entity and m.startswith(case.name)]
    assert len(messages) == 1, f"expected one error for {case.name}, got {loaded.refused}"
    for fragment in case.expect:
        assert fragment in messages[0]
    if case.entity in ("(unrecognized)",):
        return
    # the quarantine records the refusal as row 0 of the file, and nothing of it loaded
    assert loaded.query(
        "select row_number, reason from raw_files.quarantine where file_name = ?", [case.name]
    ) == [(0, messages[0])]
    assert loaded.query(
        f"select count(*) from raw_files.{case.entity} where _file_name = ?", [case.name]
    ) == [(0,)]


@pytest.mark.parametrize("case", QUARANTINED, ids=lambda c: c.kind)
def test_a_bad_row_is_quarantined_with_its_reason_and_the_rest_loads(loaded, case: Case):
    rows = loaded.query(
        "select row_number, reason from raw_files.quarantine where file_name = ?", [case.name]
    )
    assert [r[0] for r in rows] == [case.row], rows
    for fragment in case.expect:
        assert fragment in rows[0][1]
    assert loaded.query(
        f"select count(*) from raw_files.{case.entity} where _file_name = ?", [case.name]
    ) == [(case.loaded,)]
    assert not [m for _, m in loaded.refused if m.startswith(case.name)]


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.kind)
def test_odd_but_valid_input_loads_whole(loaded, case: Case):
    assert loaded.query(
        f"select count(*) from raw_files.{case.entity} where _file_name = ?", [case.name]
    ) == [(case.loaded,)]
    assert loaded.query(
        "select count(*) from raw_files.quarantine where file_name = ?", [case.name]
    ) == [(0,)]
    ignored = loaded.query(
        "select ignored_columns from raw_files.loaded_files where file_name = ?", [case.name]
    )
    assert ignored == [(", ".join(case.expect),)]


def test_every_file_read_is_recorded_with_its_row_counts(loaded):
    recorded = dict(
        (r[0], r[1:])
        for r in loaded.query(
            "select file_name, data_rows, loaded_rows, quarantined_rows, refused"
            " from raw_files.loaded_files"
        )
    )
    for case in QUARANTINED + ACCEPTED:
        data_rows, loaded_rows, quarantined_rows, refused = recorded[case.name]
        assert (loaded_rows, refused) == (case.loaded, None)
        assert data_rows == loaded_rows + quarantined_rows
    for case in ERRORS:
        if case.entity != "(unrecognized)":
            assert recorded[case.name][0] is None and recorded[case.name][3]
