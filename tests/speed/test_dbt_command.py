"""The pipeline runs dbt as `provider-view-dbt`: dbt's own command line, with Python's
cyclic garbage collector off while it runs and its objects frozen before it exits
(orchestration/defs/dbt_command.py)."""

from __future__ import annotations

import gc
import subprocess
from pathlib import Path

import pytest
from dbt.version import __version__ as dbt_version

from orchestration import settings
from orchestration.defs import dbt_command


def test_dbt_runs_without_the_collector_and_exits_with_its_own_code(monkeypatch):
    seen = []

    def dbt_cli():
        seen.append(gc.isenabled())
        raise SystemExit(3)  # click's way out, with dbt's code

    monkeypatch.setattr("dbt.cli.main.cli", dbt_cli)
    try:
        with pytest.raises(SystemExit) as exited:
            dbt_command.main()
        assert exited.value.code == 3
        assert seen == [False]
        assert gc.get_freeze_count() > 0  # Python's shutdown walks none of it
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_pipelines_dbt_is_that_command_and_answers_as_dbt():
    executable = settings.dbt_executable()
    assert Path(executable).name == "provider-view-dbt"
    version = subprocess.run([executable, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and f"installed: {dbt_version}" in version.stdout
    wrong = subprocess.run([executable, "no-such-command"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "No such command 'no-such-command'" in wrong.stderr
