"""An enforced contract turns a changed column type or a NULL in a NOT NULL column into a
failed build, not a surprised dashboard: the same model builds as declared and fails once
its SQL changes a type or lets a NULL key through. BI tools see the NOT NULL columns."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from orchestration import settings

from .conftest import DBT_PROJECT

DBT = settings.dbt_executable()  # the pipeline's dbt


def _run_dim_services(project: Path, warehouse: Path, target: Path):
    env = {
        **os.environ,
        "PROVIDER_VIEW_WAREHOUSE": str(warehouse),
        "PROVIDER_VIEW_TARGET": "duckdb",
    }
    return subprocess.run(
        [str(DBT), "run", "--select", "dim_services", "--profiles-dir", str(project)]
        + ["--target-path", str(target)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_changed_column_type_or_a_null_key_fails_the_build(bi_warehouse, tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(bi_warehouse.path, warehouse)

    target = tmp_path / "target"  # one: the later runs parse only the changed model again
    as_declared = _run_dim_services(project, warehouse, target)
    assert as_declared.returncode == 0, as_declared.stdout[-3000:]

    model = project / "models" / "marts" / "dim_services.sql"
    sql = model.read_text(encoding="utf-8")
    assert "        is_consultation\n" in sql
    model.write_text(
        sql.replace(
            "        is_consultation\n",
            "        cast(is_consultation as integer) as is_consultation\n",
        ),
        encoding="utf-8",
    )
    changed = _run_dim_services(project, warehouse, target)
    assert changed.returncode != 0
    assert "contract" in changed.stdout.lower() and "is_consultation" in changed.stdout

    model.write_text(sql.replace("select * from final", _NULL_KEY_ROW), encoding="utf-8")
    null_key = _run_dim_services(project, warehouse, target)
    assert null_key.returncode != 0
    assert "NOT NULL constraint failed" in null_key.stdout and "service_id" in null_key.stdout


# a row without a service_id (the key's constraint must refuse it)
_NULL_KEY_ROW = "select * from final union all select null, 'x', 'consultation', true"


def test_the_published_marts_declare_their_keys_not_null(bi_warehouse):
    with duckdb.connect(str(bi_warehouse.path), read_only=True) as con:
        nullable = dict(
            con.execute(
                "select column_name, is_nullable from duckdb_columns()"
                " where schema_name = 'marts' and table_name = 'fct_appointments'"
            ).fetchall()
        )
    assert nullable["appointment_id"] is False
    assert nullable["cancelled_at"] is True
