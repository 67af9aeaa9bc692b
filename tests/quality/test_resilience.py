"""Reruns, hard kills and concurrent runs, with the real CLI on a real (non-ephemeral)
Dagster instance: the marts come out the same, stay readable, and runs never meet on
the DuckDB file lock."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import duckdb
import pytest
from builds import DEMO_SCALE, DEMO_SEED
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus

from ingestion.demo import generate_clinic

from .conftest import CLI, REPO, cli_env, query, run_cli, snapshot

pytestmark = pytest.mark.slow

LAYERS = ("staging", "marts")
# a line logged by a step, as Dagster's console logger prints it (--verbose): "... - <step> - ..."
STEP_STARTED = " - {} - "
LOCK_ERRORS = ("Could not set lock", "Conflicting lock", "database is locked")
# dbt starts building the marts (the run is well past loading and staging)
MARTS_STARTED = "START sql table model marts."


def _fresh_copy(built, tmp_path: Path) -> tuple[Path, Path]:
    """The built warehouse and a copy of its exports with new modification times, so a
    run reads (and replaces) every file again: the load does real work."""
    inputs = tmp_path / "exports"
    shutil.copytree(built.inputs, inputs)
    later = time.time() + 60
    for f in inputs.iterdir():
        os.utime(f, (later, later))
    return inputs, built.copy(tmp_path / "warehouse.duckdb")


def _assert_ok(result, what: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{what} failed:\n{output[-4000:]}"
    assert not [e for e in LOCK_ERRORS if e in output], f"{what} met a lock:\n{output[-4000:]}"


def _start(env: dict, inputs: Path, warehouse: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "run", "--inputs", str(inputs), "--warehouse", str(warehouse), "--verbose"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the CLI and its dbt child
    )


def _lines(proc: subprocess.Popen, tick: float = 0.05):
    """The process's output lines as they come, and None every `tick` seconds of silence,
    so a caller can watch the clock (and the disk) while the process says nothing."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in proc.stdout:
            lines.put(line)
        lines.put("")  # end of output

    threading.Thread(target=pump, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=tick)
        except queue.Empty:
            yield None
            continue
        if line == "":
            return
        yield line


def _kill_when(proc: subprocess.Popen, seen, timeout: float = 300) -> str:
    """SIGKILL the run's process group once `seen(line)` holds (line is None while the
    run is silent); returns its output so far."""
    out, deadline = [], time.time() + timeout
    for line in _lines(proc):
        out.append(line or "")
        if seen(line or "") or time.time() > deadline:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return "".join(out)


def _loading(tmpdir: Path):
    """True once dlt has load jobs running (a job file in a started_jobs folder)."""

    def seen(_line: str) -> bool:
        try:
            return any(tmpdir.glob("provider-view-files-*/**/started_jobs/*"))
        except FileNotFoundError:  # dlt removed a folder the walk was in: look again
            return False

    return seen


def _next_run_completes(env: dict, inputs: Path, warehouse: Path) -> None:
    """The next run must get going (not wait forever on what the killed run held) and
    finish; it is given up on when its first step has not started within 60 s of the job's
    start."""
    proc = _start(env, inputs, warehouse)
    out, started, deadline = [], False, None
    for line in _lines(proc, tick=1):
        out.append(line or "")
        if deadline is None and (line or "").startswith("· run "):
            deadline = time.time() + 60  # the job starts (imports and dbt parse are done)
        started = started or STEP_STARTED.format("raw_files") in (line or "")
        if not started and deadline is not None and time.time() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(
                "the run after the kill never started its first step (a pool slot still"
                " held by the killed run?):\n" + "".join(out)[-3000:]
            )
    proc.wait(timeout=600)
    output = "".join(out)
    assert proc.returncode == 0, f"the run after the kill failed:\n{output[-4000:]}"
    assert not [e for e in LOCK_ERRORS if e in output], output[-4000:]


def _killed(env: dict, inputs: Path, warehouse: Path, before: dict, seen) -> str:
    """A run SIGKILLed once `seen(line)` holds: it wrote only its working copy, and the
    published file is untouched, readable by anyone. Returns what the run printed."""
    proc = _start(env, inputs, warehouse)
    output = _kill_when(proc, seen)
    assert proc.returncode == -signal.SIGKILL
    assert _working_copies(warehouse), "the killed run left no working copy"
    assert snapshot(warehouse, LAYERS) == before
    return output


def test_runs_killed_hard_leave_the_marts_readable_and_rereading_every_file_gives_them_back(
    built, tmp_path
):
    """A run killed while dlt loads, the next one killed while dbt builds the marts, then a
    run that completes: every export re-read (new modification times) replaces its rows
    with the same rows, so staging, the marts and the raw rows are what the first run
    built; a run after it finds nothing new and rebuilds nothing. (--full on unchanged
    files, which loads nothing: tests/e2e/test_cli_load.py.)"""
    before = snapshot(built.warehouse, LAYERS)
    inputs, warehouse = _fresh_copy(built, tmp_path)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**cli_env(tmp_path / "dagster"), "TMPDIR": str(tmpdir)}

    output = _killed(env, inputs, warehouse, before, _loading(tmpdir))
    assert STEP_STARTED.format("dbt_models") not in output
    output = _killed(env, inputs, warehouse, before, lambda line: MARTS_STARTED in line)
    assert MARTS_STARTED in output

    _next_run_completes(env, inputs, warehouse)
    second = snapshot(warehouse, LAYERS)
    assert second == before
    assert _working_copies(warehouse) == [], "the next run left a stale working copy"
    raw, raw_before = snapshot(warehouse, ("raw_files",)), snapshot(built.warehouse, ("raw_files",))
    for relation in raw_before:
        if relation != "raw_files.loaded_files":  # holds the files' new modification times
            assert raw[relation] == raw_before[relation], f"{relation} changed"

    skipped = run_cli(env, inputs, warehouse)
    _assert_ok(skipped, "the run after (nothing new, skipped)")
    assert "nothing rebuilt (--full rebuilds anyway)" in skipped.stdout
    assert snapshot(warehouse, LAYERS) == second


def _working_copies(warehouse: Path) -> list[Path]:
    return sorted(warehouse.parent.glob(f"{warehouse.name}.*.building*"))


def test_a_reader_held_open_never_blocks_a_run_and_keeps_its_snapshot(built, tmp_path):
    """A BI tool's read-only connection stays open on the published file across a whole run
    that changes the marts: the run succeeds, the reader still sees the marts it opened,
    and a new connection sees the new ones."""
    other = tmp_path / "other_exports"
    generate_clinic(other, scale=DEMO_SCALE, seed=DEMO_SEED + 1)  # same file names, other rows
    warehouse = built.copy(tmp_path / "warehouse.duckdb")
    before = snapshot(warehouse, ("marts",))
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        held = reader.sql("select count(*), sum(net_amount) from marts.fct_invoice_lines")
        held = held.fetchall()
        result = run_cli(cli_env(tmp_path / "dagster"), other, warehouse)
        _assert_ok(result, "the run with a reader open")
        assert (
            held
            == reader.sql(
                "select count(*), sum(net_amount) from marts.fct_invoice_lines"
            ).fetchall()
        )
    finally:
        reader.close()
    after = snapshot(warehouse, ("marts",))
    assert after.keys() == before.keys()
    assert after["marts.fct_invoice_lines"] != before["marts.fct_invoice_lines"]
    assert _working_copies(warehouse) == []


def _pool_steps(home: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Per run: (step, start, end) of every step, from the instance's event log."""
    out = {}
    with DagsterInstance.from_config(str(home)) as instance:
        for run in instance.get_runs():
            assert run.status == DagsterRunStatus.SUCCESS, run.run_id
            starts, ends = {}, {}
            for event in instance.all_logs(run.run_id):
                if event.dagster_event is None or event.step_key is None:
                    continue
                kind = event.dagster_event.event_type
                if kind == DagsterEventType.STEP_START:
                    starts[event.step_key] = event.timestamp
                elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
                    ends[event.step_key] = event.timestamp
            out[run.run_id] = [(k, starts[k], ends[k]) for k in starts]
    return out


def test_two_runs_at_once_take_turns_on_the_warehouse(built, tmp_path):
    """Two CLIs started in the same instant on a new DAGSTER_HOME: both set the instance
    up and parse dbt without tripping on each other, both finish, no step of one
    overlaps a step of the other, and neither meets the DuckDB lock."""
    before = snapshot(built.warehouse, LAYERS)
    inputs, warehouse = _fresh_copy(built, tmp_path)
    home = tmp_path / "dagster"
    env = cli_env(home)

    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [_start_logged(env, inputs, warehouse, log) for log in logs]
    for proc, log in zip(procs, logs, strict=True):
        proc.wait(timeout=900)
        output = log.read_text()
        assert proc.returncode == 0, output[-4000:]
        assert not [e for e in LOCK_ERRORS if e in output], output[-4000:]

    steps = _pool_steps(home)
    assert len(steps) == 2
    (a, b) = steps.values()
    # every step of both runs writes or reads the warehouse, all in one pool of one slot
    overlaps = [(x, y) for x in a for y in b if x[1] < y[2] and y[1] < x[2]]
    assert overlaps == [], overlaps
    assert snapshot(warehouse, LAYERS) == before
    assert query(warehouse, "select count(*) from raw_files._dlt_loads")[0][0] >= 2


def _start_logged(env: dict, inputs: Path, warehouse: Path, log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            [*CLI, "run", "--inputs", str(inputs), "--warehouse", str(warehouse), "--verbose"],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
