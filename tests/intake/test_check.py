"""`provider-view check`: the verdicts of a run, without a warehouse. Its counts equal
what a real run lands, on the shipped sample and on a small demo clinic."""

from __future__ import annotations

import shutil

import pytest
from e2e.conftest import small_clinic  # noqa: F401  (the demo clinic a real run built)

from ingestion.files.dryrun import dry_run
from intake.conftest import SAMPLE, landed
from orchestration.cli.check import staging_references
from orchestration.cli.commands import main


def _checked(folder) -> dict[str, tuple[int, int, int]]:
    result = dry_run(str(folder), staging_references())
    assert result.refused_files == [] and result.unrecognized == []
    return {v.entity: (v.staged, v.quarantined, v.superseded) for v in result.entities}


@pytest.mark.slow
def test_check_counts_equal_a_real_run_on_the_sample(sample_run):
    checked = _checked(SAMPLE)
    assert checked == landed(sample_run)
    assert checked["appointments"] == (889, 4, 5)  # the later drop supersedes 5 rows


def test_check_counts_equal_a_real_run_on_a_small_demo(small_clinic):  # noqa: F811
    checked = _checked(small_clinic.inputs)
    assert checked == landed(small_clinic)
    assert sum(q for _, q, _ in checked.values()) >= 8  # the demo's planted bad rows


def test_check_prints_reasons_and_examples_and_exits_0(capsys):
    assert main(["check", "--inputs", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "appointments            898          889            4           5" in out
    assert "unknown provider_id: …" in out  # a staging verdict, from references.sql
    assert "appointments.csv row 892 (apt_9000003): unknown provider_id: 'prov_99'" in out
    assert "no file would be refused" in out


@pytest.fixture
def broken(tmp_path):
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    header, *rows = (folder / "providers.csv").read_text().splitlines()
    cut = header.replace(",active", "")
    (folder / "providers_2026-10.csv").write_text(cut + "\n" + rows[0].rsplit(",", 1)[0] + "\n")
    (folder / "appointmens.csv").write_text(header + "\n")
    return folder


def test_check_names_files_a_run_would_refuse_and_exits_1(broken, capsys):
    assert main(["check", "--inputs", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "2 file(s) a run would refuse whole" in out
    assert "providers_2026-10.csv: providers_2026-10.csv: missing required column(s) active" in out
    assert "appointmens.csv: the name matches no entity" in out
    result = dry_run(str(broken), staging_references())
    assert [f.file_name for f in result.refused_files] == ["providers_2026-10.csv"]
    # the other providers file still loads, so nothing that names a provider is refused
    assert _checked_entity(result, "appointments") == (889, 4, 5)


def _checked_entity(result, entity):
    v = next(v for v in result.entities if v.entity == entity)
    return v.staged, v.quarantined, v.superseded


def test_a_late_provider_change_is_judged_like_staging(tmp_path):
    """A later providers file moves prov_05 to a location that does not exist: staging
    refuses that winning version, so every row naming prov_05 is refused too."""
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    header, *rows = (folder / "providers.csv").read_text().splitlines()
    moved = next(r for r in rows if r.startswith("prov_05,")).replace(",loc_02,", ",loc_77,")
    (folder / "providers_2026-10.csv").write_text(header + "\n" + moved + "\n")
    result = dry_run(str(folder), staging_references())
    providers = next(v for v in result.entities if v.entity == "providers")
    assert (providers.staged, providers.refused_at_staging) == (5, 1)
    appointments = next(v for v in result.entities if v.entity == "appointments")
    assert appointments.refused_at_staging > 100
    assert any(r.reason == "unknown provider_id: …" for r in appointments.top_reasons)


def test_check_on_a_missing_folder_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["check", "--inputs", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"provider-view check: input folder not found: {tmp_path / 'nope'}"
