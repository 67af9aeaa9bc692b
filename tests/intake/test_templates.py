"""`provider-view templates`: written from the entity specs, and loadable as they are."""

from __future__ import annotations

import re

import pytest

from ingestion.files.entities import ENTITIES
from orchestration.cli.check import staging_references
from orchestration.cli.commands import main
from orchestration.cli.templates import write_templates


@pytest.fixture
def templates(tmp_path):
    folder = tmp_path / "templates"
    assert main(["templates", str(folder)]) == 0
    return folder


def test_one_header_only_csv_per_entity_with_the_spec_columns(templates):
    assert sorted(p.stem for p in templates.glob("*.csv")) == sorted(ENTITIES)
    for entity in ENTITIES.values():
        text = (templates / f"{entity.name}.csv").read_text(encoding="utf-8")
        assert text == ",".join(entity.column_names) + "\n"


def _rows(format_md: str, entity: str) -> dict[str, list[str]]:
    section = format_md.split(f"\n## {entity}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in rows]
    return {c[0].strip("`"): c[1:] for c in cells}


def test_format_md_describes_every_column_from_the_specs(templates):
    text = (templates / "FORMAT.md").read_text(encoding="utf-8")
    references = staging_references()
    for entity in ENTITIES.values():
        rows = _rows(text, entity.name)
        assert list(rows) == entity.column_names
        named = dict(references.get(entity.name, []))
        for col in entity.columns:
            kind, required, allowed, example = rows[col.name]
            assert required == ("required" if col.required else "optional")
            assert example, f"{entity.name}.{col.name} has no example"
            if col.values:
                assert allowed.split(", ") == list(col.values)
                assert example.strip("`") in col.values
            if col.name in named:
                assert allowed == f"a `{named[col.name]}` key"
        keys = re.search(r"Key: (.*)", text.split(f"\n## {entity.name}\n", 1)[1]).group(1)
        assert all(f"`{k}`" in keys for k in entity.key)
    assert _rows(text, "appointments")["start_at"][0].endswith("(may be ahead)")
    assert _rows(text, "ad_spend")["impressions"][0] == "whole number"


def test_the_loader_accepts_the_templates_and_loads_nothing(templates, raw_loader):
    raw_loader.load(templates)
    assert raw_loader.refused == []
    manifest = raw_loader.query(
        "select entity, data_rows, loaded_rows, refused from raw_files.loaded_files order by 1"
    )
    assert manifest == [(e, 0, 0, None) for e in sorted(ENTITIES)]
    for entity in ENTITIES:
        assert raw_loader.query(f"select count(*) from raw_files.{entity}") == [(0,)]


def test_check_on_the_templates_finds_nothing_to_refuse(templates, capsys):
    assert main(["check", "--inputs", str(templates)]) == 0
    assert "no file would be refused" in capsys.readouterr().out


def test_templates_refuses_a_file_as_the_folder(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("x")
    assert main(["templates", str(target)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert write_templates(tmp_path / "new")[-1].name == "FORMAT.md"
