"""`provider-view run` on a generated clinic: row accounting and idempotent reloads."""

from __future__ import annotations

import re

import pytest
from dagster import DagsterInstance

from ingestion.files.entities import ENTITIES
from ingestion.registry import API_SOURCES
from orchestration.defs.api_sources import STAGING_LEFT_OUT_TAG

# staging models whose key is not the raw key's text (ad_spend is keyed on typed columns)
STAGED_KEY = {
    "ad_spend": "clinic_id || '|' || cast(spend_date as varchar) || '|' || platform || '|' "
    "|| campaign_id"
}


def _input_keys(built, entity: str) -> set[str]:
    spec = ENTITIES[entity]
    files = sorted(
        str(p) for p in built.inputs.glob(f"{entity}*.csv") if _is_entity_file(p.name, entity)
    )
    key = " || '|' || ".join(f"coalesce(trim({k}), '')" for k in spec.key)
    rows = built.query(
        f"select distinct {key} from read_csv({files!r}, all_varchar = true, header = true,"
        f" null_padding = true, strict_mode = false)"
    )
    return {r[0] for r in rows}


def _is_entity_file(name: str, entity: str) -> bool:
    stem = name.removesuffix(".csv")
    return stem == entity or stem.startswith(entity + "_")


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_every_input_key_is_staged_or_quarantined(small_clinic, entity):
    spec = ENTITIES[entity]
    input_keys = _input_keys(small_clinic, entity)
    staged_key = STAGED_KEY.get(entity, spec.key[0])
    staged = {
        r[0] for r in small_clinic.query(f"select {staged_key} from staging.stg_files__{entity}")
    }
    staged_rows = small_clinic.query(f"select count(*) from staging.stg_files__{entity}")[0][0]
    empty_key = "|".join([""] * len(spec.key))
    quarantined = {
        r[0] or empty_key
        for r in small_clinic.query(
            f"select record_key from staging.stg_files__quarantine where entity = '{entity}'"
        )
    }

    assert staged_rows == len(staged), "one staged row per key"
    assert staged | quarantined == input_keys
    # a staged key was not also refused (the planted bad rows use keys of their own)
    assert not (staged & quarantined)
    assert len(input_keys) == staged_rows + len(quarantined)


def test_planted_bad_rows_sit_in_quarantine_with_their_reasons(small_clinic):
    bad_rows = small_clinic.truth["bad_rows"]
    assert len(bad_rows) >= 8
    quarantine = small_clinic.query(
        "select entity, file_name, record_key, reason from staging.stg_files__quarantine"
    )
    for bad in bad_rows:
        key = bad["key"]
        if isinstance(key, dict):  # composite keys, joined in the spec's key order
            key = "|".join(key[k] for k in ENTITIES[bad["entity"]].key)
        matches = [
            q for q in quarantine if q[0] == bad["entity"] and q[1] == bad["file"] and q[2] == key
        ]
        assert len(matches) == 1, f"planted bad row not quarantined once: {bad}"
        assert bad["column"] in matches[0][3], (
            f"reason does not name {bad['column']}: {matches[0][3]}"
        )


def test_cli_prints_what_was_loaded_and_where(small_clinic):
    out = small_clinic.output
    assert str(small_clinic.warehouse) in out
    staged = small_clinic.query("select count(*) from staging.stg_files__appointments")[0][0]
    assert "appointments" in out and f"{staged:,}" in out


def test_a_files_run_leaves_out_the_staging_of_the_api_sources_never_loaded(small_clinic):
    staged = small_clinic.query(
        "select table_name from information_schema.tables where table_schema = 'staging'"
    )
    assert staged and all(name.startswith(("base_files__", "stg_files__")) for (name,) in staged)
    # the unions read the file source's staging alone, and the run says what it left out
    unioned = small_clinic.query("select count(*) from intermediate.int_appointments_unioned")
    assert unioned == small_clinic.query("select count(*) from staging.stg_files__appointments")
    with DagsterInstance.from_config(small_clinic.env["DAGSTER_HOME"]) as instance:
        (run,) = instance.get_runs()
    assert run.tags[STAGING_LEFT_OUT_TAG] == ",".join(s for s in API_SOURCES)


def test_cli_progress_is_one_line_per_step_with_counts_and_time(small_clinic):
    lines = small_clinic.output.splitlines()
    steps = [line for line in lines if line.startswith(("✓ ", "✗ "))]
    assert [s.split(":")[0] for s in steps if "raw_files" in s or "dbt_models" in s] == [
        "✓ raw_files",
        "✓ dbt_models",
    ]
    dbt_line = next(s for s in steps if "dbt_models" in s)
    assert re.fullmatch(r"✓ dbt_models: \d+ assets, \d+ checks, \d+\.\ds", dbt_line)
    assert any(s.startswith("✓ warehouse__published: 1 asset,") for s in steps)
    # dbt's and dlt's own output stays in the run's log, not on the screen
    assert not [line for line in lines if " START " in line or "Extract files" in line]
    assert len(lines) < 80, small_clinic.output


def test_cli_prints_the_checks_with_the_planted_bad_rows_as_quarantine_warnings(small_clinic):
    block = small_clinic.output.split("\nchecks: ", 1)[1].split("\n\n", 1)[0]
    counts, *flagged = block.splitlines()
    passed, warned, failed = (int(n) for n in re.findall(r"\d+", counts))
    planted = {bad["entity"] for bad in small_clinic.truth["bad_rows"]}
    assert failed == 0 and passed > 200
    # every other check passes; each entity with planted bad rows warns on its quarantine
    assert [line.split()[0] for line in flagged] == ["WARN"] * warned
    assert {tuple(line.split()[1:4]) for line in flagged} == {
        (f"raw/files/{entity}", "·", "quarantine_share:") for entity in planted
    }
    assert warned == len(planted)


def _snapshot(built) -> dict[str, list[tuple]]:
    relations = built.query(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in ('raw_files', 'staging', 'intermediate', 'marts')"
    )
    return {
        f"{schema}.{name}": built.query(
            f"select * exclude ({', '.join(_dlt_columns(built, schema, name)) or 'nothing_to_exclude'})"
            f" from {schema}.{name} order by all"
            if _dlt_columns(built, schema, name)
            else f"select * from {schema}.{name} order by all"
        )
        for schema, name in relations
        if not name.startswith("_dlt")
    }


def _dlt_columns(built, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in built.query(
            "select column_name from information_schema.columns"
            f" where table_schema = '{schema}' and table_name = '{table}' and column_name like '\\_dlt%' escape '\\'"
        )
    ]


@pytest.mark.slow
def test_loading_the_same_folder_again_adds_and_changes_nothing(small_clinic, tmp_path):
    clinic = small_clinic.changeable(tmp_path)  # the shared build stays as it was
    args = ("run", "--inputs", str(clinic.inputs), "--warehouse", str(clinic.warehouse))
    if not small_clinic.build.fingerprinted_today:  # the session went past midnight
        clinic.run_cli(*args)  # records today's fingerprint, as the build did yesterday
    before = _snapshot(clinic)
    loaded = clinic.query("select count(*) from raw_files._dlt_loads")[0][0]
    with DagsterInstance.from_config(clinic.env["DAGSTER_HOME"]) as instance:
        ran = len(instance.get_run_records())

    # nothing changed since the last run: nothing is loaded or rebuilt
    skipped = clinic.run_cli(*args).stdout
    assert "· nothing changed since run " in skipped and "nothing rebuilt" in skipped
    assert clinic.query("select count(*) from raw_files._dlt_loads")[0][0] == loaded
    # --full runs everything again: the loader itself adds nothing (merge on keys)
    full = clinic.run_cli(*args, "--full").stdout
    assert "nothing rebuilt" not in full and "· run " in full
    after = _snapshot(clinic)

    assert before.keys() == after.keys()
    for relation in before:
        assert after[relation] == before[relation], f"{relation} changed on reload"
    assert clinic.query("select count(*) from raw_files._dlt_loads")[0][0] == loaded + 1
    # and the refresh after it skips again, on the --full run's record
    with DagsterInstance.from_config(clinic.env["DAGSTER_HOME"]) as instance:
        runs = [r.dagster_run.run_id for r in instance.get_run_records()]
    assert len(runs) == ran + 1
    assert f"· nothing changed since run {runs[0]} at " in clinic.run_cli(*args).stdout
