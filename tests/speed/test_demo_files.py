"""A second `provider-view demo` keeps the files of the first when it would write the
same ones, so the run after it finds nothing new (orchestration/cli/demo_files.py)."""

from __future__ import annotations

import os
import time

from ingestion.demo import generate_clinic
from orchestration.cli.demo_files import already_generated, record_generation


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
