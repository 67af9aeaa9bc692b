"""The quarantine check: quiet without quarantined rows, WARN with some, ERROR over the
threshold or when a file was refused whole."""

from __future__ import annotations

import duckdb
from bad_inputs.corpus import header, row

from orchestration.quality.quarantine import quarantine_outcomes

from .helpers import load_folder


def _load(tmp_path, bad: int, good: int = 19, refused_file: bool = False):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = [row("services", f"_{i}") for i in range(good)]
    rows += [row("services", f"_x{i}", category="aesthetics") for i in range(bad)]
    (folder / "services.csv").write_text("\n".join([header("services"), *rows]) + "\n")
    if refused_file:
        (folder / "services_2.csv").write_text("service_id,name\nsvc_9,Laser\n")
    load_folder(folder, tmp_path / "w.duckdb", tmp_path / "dlt")
    return tmp_path / "w.duckdb"


def _outcome(warehouse, max_share=0.10):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return quarantine_outcomes(con, ["services"], {"services": max_share})["services"]


def test_no_quarantined_row_passes(tmp_path):
    outcome = _outcome(_load(tmp_path, bad=0))
    assert outcome.passed and outcome.metadata["rows_read"] == 19


def test_a_few_quarantined_rows_warn_with_their_reasons(tmp_path):
    outcome = _outcome(_load(tmp_path, bad=1))
    assert (outcome.passed, outcome.severity) == (False, "WARN")
    assert outcome.metadata["quarantined_share"] == 0.05
    assert outcome.metadata["reasons"] == {"unknown category": 1}
    assert "| services.csv | 20 | svc_1_x0 | unknown category: 'aesthetics' |" in outcome.details


def test_a_share_over_the_threshold_is_an_error_and_the_threshold_is_configurable(tmp_path):
    warehouse = _load(tmp_path, bad=1)
    assert _outcome(warehouse, max_share=0.04).severity == "ERROR"
    assert "over the 4.0% threshold" in _outcome(warehouse, max_share=0.04).description
    assert _outcome(warehouse, max_share=0.05).severity == "WARN"


def test_a_file_refused_whole_is_an_error(tmp_path):
    outcome = _outcome(_load(tmp_path, bad=0, refused_file=True))
    assert (outcome.passed, outcome.severity) == (False, "ERROR")
    assert outcome.metadata["files_refused"] == ["services_2.csv"]
