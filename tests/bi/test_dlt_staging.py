"""dlt merges through a staging dataset (`<dataset>_staging`); a load through the
warehouse resource drops it afterwards, so a BI tool sees no dlt working schema, and the
next merge load still works (dlt creates the dataset again)."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb

from orchestration.defs.resources import WarehouseResource


@dlt.resource(name="things", primary_key="id", write_disposition="merge")
def things(rows: list[dict]):
    yield rows


def _schemas(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}


def test_plain_dlt_leaves_its_staging_dataset(tmp_path: Path):
    # the behaviour the resource corrects: a merge load leaves raw_things_staging behind
    path = tmp_path / "plain.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name="plain",
        destination=dlt.destinations.duckdb(str(path)),
        dataset_name="raw_things",
        pipelines_dir=str(tmp_path / "dlt"),
    )
    pipeline.run(things([{"id": 1, "v": "a"}]))
    pipeline.run(things([{"id": 1, "v": "b"}]))
    assert "raw_things_staging" in _schemas(path)


def test_loads_through_the_resource_leave_no_staging_dataset_and_still_merge(tmp_path: Path):
    path = tmp_path / "warehouse.duckdb"
    warehouse = WarehouseResource(path=str(path))
    loads = [
        [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}],
        [{"id": 2, "v": "c"}, {"id": 3, "v": "d"}],  # updates id 2: a merge through staging
    ]
    for rows in loads:
        with warehouse.dlt_pipeline("things", "raw_things") as pipeline:
            pipeline.run(things(rows))
        assert "raw_things_staging" not in _schemas(path)
    assert "raw_things" in _schemas(path)
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select id, v from raw_things.things order by id").fetchall()
    assert rows == [(1, "a"), (2, "c"), (3, "d")]
