"""A second `provider-view demo` keeps the files of the first when it would write the
same ones, so the run after it finds nothing new; the first generates them in a process of
its own while the CLI prepares the run (orchestration/cli/demo_files.py)."""

from __future__ import annotations

import filecmp
import os
import time

import pytest

from ingestion.demo import generate_clinic
from orchestration.cli.demo_files import already_generated, generating, record_generation


def test_the_same_generation_is_kept_and_any_change_regenerates(tmp_path):
    out = tmp_path / "demo"
    assert not already_generated(out, 0.01, 7)  # nothing there yet
    generate_clinic(out, scale=0.01, seed=7)
    record_generation(out, 0.01, 7)

    assert already_generated(out, 0.01, 7)
    assert not already_generated(out, 0.02, 7)
    assert not already_generated(out, 0.01, 8)
    later = time.time() + 60
    os.utime(out / "patients.csv", (later, later))  # edited since
    assert not already_generated(out, 0.01, 7)
    record_generation(out, 0.01, 7)
    (out / "leads.csv").unlink()
    assert not already_generated(out, 0.01, 7)


def test_generating_in_its_own_process_writes_the_same_files_and_says_how_far_it_got(
    tmp_path, capsys
):
    generate_clinic(tmp_path / "here", scale=0.01, seed=7)
    with generating(tmp_path / "there", 0.01, 7):
        pass

    assert already_generated(tmp_path / "there", 0.01, 7)  # recorded on leaving
    files = sorted(p.name for p in (tmp_path / "here").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "here", tmp_path / "there", files)
    assert (mismatch, errors) == ([], []) and len(match) == len(files)
    said = capsys.readouterr().out.splitlines()
    assert "  demo: writing appointments" in said and "  demo: truth.json" in said


def test_a_generator_that_fails_is_one_line_naming_why(tmp_path, capsys):
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(RuntimeError) as failed, generating(tmp_path / "a_file" / "demo", 0.01, 7):
        pass
    message = str(failed.value)
    assert message.startswith("the demo generator failed: ") and "\n" not in message
    assert message.endswith(
        "NotADirectoryError: [Errno 20] Not a directory: " + repr(str(tmp_path / "a_file" / "demo"))
    )
    assert "Traceback" not in capsys.readouterr().out
