"""Shared fixtures: a dlt pipeline into a throwaway DuckDB warehouse, and the demo
warehouse built once per session for the tests that read it (tests/builds.py)."""

from __future__ import annotations

from pathlib import Path

import builds
import dlt
import duckdb
import pytest

from ingestion.files import file_exports


class RawLoader:
    """Loads a folder with the file source into one DuckDB file, like the Dagster asset."""

    def __init__(self, warehouse: Path, workdir: Path):
        self.warehouse = warehouse
        self.workdir = workdir
        self.refused: list[tuple[str, str]] = []

    def new_pipeline(self) -> dlt.Pipeline:
        # a fresh working folder each time: state must come back from the warehouse
        self.workdir.mkdir(parents=True, exist_ok=True)
        return dlt.pipeline(
            pipeline_name="files",
            destination=dlt.destinations.duckdb(str(self.warehouse)),
            dataset_name="raw_files",
            pipelines_dir=str(self.workdir / f"run{len(list(self.workdir.iterdir()))}"),
        )

    def load(self, folder: Path | str):
        self.pipeline = pipeline = self.new_pipeline()
        return pipeline.run(
            file_exports(str(folder), on_file_error=lambda e, m: self.refused.append((e, m)))
        )

    def rows_extracted(self) -> dict[str, int]:
        """Rows the last load normalized, per table (0 when a table got no new rows)."""
        return dict(self.pipeline.last_trace.last_normalize_info.row_counts)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.sql(sql).fetchall()


@pytest.fixture
def raw_loader(tmp_path: Path) -> RawLoader:
    return RawLoader(tmp_path / "warehouse.duckdb", tmp_path / "dlt")


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """A manifest parsed from the current dbt project (the Dagster graph is built from it)."""
    from orchestration.defs.dbt_parse import parse_dbt_project

    return parse_dbt_project()


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> builds.DemoBuild:
    """The demo clinic (its planted bad rows included) built once by `provider-view run`:
    read it, never write it; `copy()` gives a warehouse to change."""
    return builds.require_success(builds.demo_build(tmp_path_factory))


# Directories whose modules share a session fixture one worker process cannot lend to
# another (a PostgreSQL server; the run of the shipped sample): one worker runs them all.
ONE_WORKER = ("tests/postgres", "tests/intake")
# The longest module (seven runs of the CLI on copies of the shared build): its first test
# starts first, so one worker builds the shared warehouse at once; the other starts on the
# slow modules that build their own and never waits for it.
FIRST = "tests/quality/test_resilience.py"


def _unit(item) -> str:
    """The xdist work unit of a test: one of ONE_WORKER; its module, when a fixture of the
    module's scope (or a class's) would otherwise be set up on both workers; else itself."""
    path = item.nodeid.split("::")[0]
    if shared := next((d for d in ONE_WORKER if path.startswith(d + "/")), None):
        return shared
    defs = item._fixtureinfo.name2fixturedefs.values()
    if any(d.scope in ("module", "class", "package") for fixture in defs for d in fixture):
        return path
    return item.nodeid


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Work units for two xdist workers (`--dist loadgroup`), handed out in the order that
    keeps both busy: the first test of FIRST; the slow units that build warehouses of their
    own (while the other worker builds the shared one); the rest of FIRST; the other slow
    units; the quick ones last, to even out the end. Tests keep their order in a unit."""
    units: dict[str, list] = {}
    for item in items:
        unit = _unit(item)
        if not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group(unit))
        units.setdefault(unit, []).append(item)
    first = next((u for u in units if u.startswith(FIRST)), None)

    def rank(unit: str) -> int:
        tests = units[unit]
        if unit == first:
            return 0
        if not any(t.get_closest_marker("slow") for t in tests):
            return 4
        if not any("demo_build" in t.fixturenames for t in tests):
            return 1
        return 2 if unit.startswith(FIRST) else 3

    ordered = sorted(units, key=rank)  # stable: collection order within a rank
    items[:] = [item for unit in ordered for item in units[unit]]


def pytest_xdist_node_collection_finished(node, ids):
    """Stop at once when xdist did not group the work (it names each grouped test
    `<id>@<group>`): every module fixture, a warehouse build of a minute or more, would
    then be set up on both workers."""
    if node.config.getvalue("dist") == "loadgroup" and ids and "@" not in ids[0]:
        pytest.exit(
            f"pytest-xdist's --dist loadgroup did not group the tests (pytest"
            f" {pytest.__version__}): install the versions pyproject.toml pins",
            returncode=4,
        )
