"""Fixtures for the report tests: the session's demo clinic built by `provider-view run`
(the refresh job renders the pages into reports/ beside the warehouse), and the pages
read back: every number a page shows, with the exact mart value it came from."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

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
def clinic(demo_build) -> Clinic:
    """The session's demo clinic (tests/builds.py); its run rendered the pages beside it."""
    b = demo_build
    return Clinic(b.root, b.warehouse, b.reports, b.env, b.output)


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
