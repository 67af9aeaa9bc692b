"""Fixtures for the report tests: a small demo clinic built once by `provider-view run`
(the refresh job renders the pages into reports/ beside the warehouse), and the pages
read back: every number a page shows, with the exact mart value it came from."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from ingestion.demo import generate_clinic

CLI = [sys.executable, "-m", "orchestration.cli"]
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Clinic:
    root: Path
    warehouse: Path
    reports: Path
    env: dict
    output: str

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*CLI, *args], env=self.env, cwd=REPO, capture_output=True, text=True, timeout=600
        )


@pytest.fixture(scope="session")
def clinic(tmp_path_factory) -> Clinic:
    root = tmp_path_factory.mktemp("reports")
    inputs, warehouse = root / "exports", root / "warehouse.duckdb"
    generate_clinic(inputs, scale=0.05, seed=7)
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    env.pop("PROVIDER_VIEW_REPORTS", None)  # pages go beside the warehouse
    built = Clinic(root, warehouse, root / "reports", env, "")
    result = built.cli("run", "--inputs", str(inputs), "--warehouse", str(warehouse))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    built.output = result.stdout
    return built


@dataclass
class PageNumbers:
    """What a page shows: data-key -> the exact values (data-raw), and the withheld keys."""

    values: dict[str, list[float]] = field(default_factory=dict)
    withheld: set[str] = field(default_factory=set)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.page = PageNumbers()
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        key = attrs.get("data-key")
        if key and "data-raw" in attrs:
            self.page.values.setdefault(key, []).append(float(attrs["data-raw"]))
        if key and attrs.get("data-withheld") == "true":
            self.page.withheld.add(key)

    def handle_data(self, data):
        self._text.append(data)


def read_page(path: Path) -> PageNumbers:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.page.text = " ".join(" ".join(reader._text).split())
    return reader.page
