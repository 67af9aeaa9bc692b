"""`dbt parse` runs only when the project or the settings it reads changed since the
manifest was written; a manifest and digest that do not belong together parse again."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from orchestration import settings
from orchestration.defs import dbt_parse

# Stands in for dbt: writes a manifest naming the model files it saw, counts its calls.
_FAKE_DBT = """
import json, pathlib, sys
target = pathlib.Path(sys.argv[sys.argv.index("--target-path") + 1])
calls = pathlib.Path(__file__).with_name("calls")
calls.write_text(str(int(calls.read_text() or 0) + 1) if calls.exists() else "1")
models = sorted(p.read_text() for p in pathlib.Path("models").glob("*.sql"))
(target / "manifest.json").write_text(json.dumps({"models": models}))
(target / "partial_parse.msgpack").write_text("state")
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "m.sql").write_text("select 1")
    (project / "profiles.yml").write_text("path: \"{{ env_var('PV_TEST_WAREHOUSE', 'a') }}\"\n")
    fake = tmp_path / "bin" / "dbt"
    fake.parent.mkdir()
    fake.write_text(f"#!{sys.executable}\n{_FAKE_DBT}")
    fake.chmod(0o755)
    monkeypatch.setattr(settings, "DBT_PROJECT_DIR", project)
    monkeypatch.setattr(settings, "dbt_executable", lambda: str(fake))
    monkeypatch.setenv("PV_TEST_WAREHOUSE", "one.duckdb")
    return project


def _calls(project: Path) -> int:
    return int((project.parent / "bin" / "calls").read_text())


def test_an_unchanged_project_is_not_parsed_again(project):
    first = dbt_parse.parse_dbt_project()
    assert dbt_parse.parse_dbt_project() == first
    assert _calls(project) == 1
    assert json.loads(first.read_text()) == {"models": ["select 1"]}
    assert not list((project / "target").glob(".parse-*"))  # the scratch folder is gone


def test_a_changed_model_parses_again(project):
    dbt_parse.parse_dbt_project()
    (project / "models" / "m.sql").write_text("select 2")
    manifest = dbt_parse.parse_dbt_project()
    assert _calls(project) == 2
    assert json.loads(manifest.read_text()) == {"models": ["select 2"]}


def test_a_changed_setting_the_project_reads_parses_again(project, monkeypatch):
    dbt_parse.parse_dbt_project()
    monkeypatch.setenv("PV_TEST_WAREHOUSE", "two.duckdb")
    dbt_parse.parse_dbt_project()
    monkeypatch.setenv("DBT_PARTIAL_PARSE", "false")  # dbt's own settings count too
    dbt_parse.parse_dbt_project()
    monkeypatch.setenv("UNRELATED_SETTING", "x")
    dbt_parse.parse_dbt_project()
    assert _calls(project) == 3


def test_generated_files_do_not_count(project):
    dbt_parse.parse_dbt_project()
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("a line")
    (project / "target" / "run_results.json").write_text("{}")
    dbt_parse.parse_dbt_project()
    assert _calls(project) == 1


def test_a_manifest_the_digest_does_not_vouch_for_parses_again(project):
    """Two parses racing can cross their files: the digest names its manifest's hash."""
    manifest = dbt_parse.parse_dbt_project()
    manifest.write_text(json.dumps({"models": ["from another parse"]}))
    dbt_parse.parse_dbt_project()
    assert _calls(project) == 2
    assert json.loads(manifest.read_text()) == {"models": ["select 1"]}
    os.remove(project / "target" / "manifest.digest")
    dbt_parse.parse_dbt_project()
    assert _calls(project) == 3
