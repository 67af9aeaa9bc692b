"""Benchmark: the pipeline at a group's volume, step by step, in one session (issue 13).

    .venv/bin/python tests/benchmarks/bench_pipeline.py --scale 12.6   # ~1.26M invoice lines
    .venv/bin/python tests/benchmarks/bench_pipeline.py --scale 0.5    # a quick run

Generates the demo clinic at `--scale`, then times, one after another:
DuckDB `read_csv` of every file (the rows/s to beat), `provider-view run` on a fresh
warehouse (with its load, dbt and check steps from the Dagster run's step stats and
dbt's run_results.json), the same run again with nothing changed, a one-day refresh
(one new file per entity holding ~0.3% of its rows, re-exported), and a full rebuild
from scratch of the same inputs, whose marts must equal the refreshed warehouse's
(EXCEPT ALL both ways). Peak memory is the resident set of the CLI's whole process
tree (the CLI and the dbt it starts), sampled from /proc. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.demo import generate_clinic
from ingestion.files.entities import ENTITIES
from ingestion.files.reader import file_entity

ROOT = Path(__file__).resolve().parents[2]
DBT_TARGET = ROOT / "dbt_project" / "target"
DAY_FRACTION = 0.3  # percent of an entity's rows in the one-day file
# the demo's exports hold deliberately broken rows: the yardstick skips them
CSV_OPTIONS = "all_varchar = true, header = true, quote = '\"', escape = '\"', ignore_errors = true"


@dataclass
class Run:
    what: str
    wall: float
    peak_mib: float
    ok: bool
    steps: dict[str, float] = field(default_factory=dict)  # Dagster step key -> seconds
    dbt: dict[str, float] = field(default_factory=dict)  # models / tests / unit tests
    tail: str = ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="keep the data here (default: a temp folder)")
    parser.add_argument("--skip-rebuild", action="store_true", help="no full rebuild check")
    parser.add_argument(
        "--load-only",
        action="store_true",
        help="time the file load alone (fresh, then one new file per entity) beside read_csv",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="provider-view-bench-") as tmp:
        root = Path(args.workdir or tmp)
        exports = root / "exports"
        started = time.perf_counter()
        summary = generate_clinic(exports, scale=args.scale, seed=args.seed)
        rows = sum(summary["files"].get(f"{e.name}.csv", 0) for e in ENTITIES.values())
        print(
            f"generated scale {args.scale}: {summary['files']['invoice_lines.csv']:,} invoice "
            f"lines, {summary['files']['appointments.csv']:,} appointments, {rows:,} entity rows "
            f"in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        read_rows, read_wall, read_peak = read_csv_baseline(exports)
        print(f"read_csv  {read_rows:,} rows in {read_wall:.1f}s", flush=True)
        if args.load_only:
            load_only(root, exports, args.seed, read_rows / read_wall)
            return

        runs = [cli_run(root / "incremental", exports, "run, fresh warehouse")]
        # the CLI finds the inputs unchanged (input fingerprint) and rebuilds nothing
        runs.append(cli_run(root / "incremental", exports, "run again, nothing changed"))
        day_rows = add_one_day(exports, args.seed)
        runs.append(cli_run(root / "incremental", exports, f"one-day refresh (+{day_rows:,} rows)"))
        equal = None
        if not args.skip_rebuild:
            runs.append(cli_run(root / "rebuild", exports, "full rebuild from scratch"))
            equal = marts_differences(
                root / "incremental" / "warehouse.duckdb", root / "rebuild" / "warehouse.duckdb"
            )
        print_table(read_rows, read_wall, read_peak, runs, equal)


def read_csv_baseline(exports: Path) -> tuple[int, float, float]:
    """DuckDB's own CSV reader, every file into a table: the load's yardstick."""
    con = duckdb.connect()
    sampler = PeakSampler(os.getpid())
    started = time.perf_counter()
    total = 0
    for path in sorted(exports.glob("*.csv")):
        con.execute(
            f"CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?, {CSV_OPTIONS})",
            [str(path)],
        )
        total += con.execute("SELECT count(*) FROM t").fetchone()[0]
    wall = time.perf_counter() - started
    con.close()
    return total, wall, sampler.stop()


def load_only(root: Path, exports: Path, seed: int, read_csv_rate: float) -> None:
    """The file source alone, as the raw_files asset runs it: a fresh warehouse, then a
    one-day drop. Each in a child process, so its peak memory is its own."""
    warehouse = root / "load-only.duckdb"
    fresh = _load_process(exports, warehouse, root / "dlt-fresh")
    day_rows = add_one_day(exports, seed)
    day = _load_process(exports, warehouse, root / "dlt-day")
    for what, (rows, wall, peak) in (("fresh", fresh), (f"one-day (+{day_rows:,})", day)):
        rate = rows / wall
        print(
            f"load {what}: {rows:,} rows in {wall:.1f}s = {rate / 1e3:,.0f}k rows/s"
            f" = {rate / read_csv_rate:.2f}x read_csv, peak {peak / 1024:.2f} GB"
        )


_LOAD_CODE = """
import json, sys, time
import dlt
from ingestion.files import file_exports
from orchestration.defs.resources import drop_staging_dataset
exports, warehouse, workdir = sys.argv[1:4]
pipeline = dlt.pipeline(pipeline_name="files", destination=dlt.destinations.duckdb(warehouse),
                        dataset_name="raw_files", pipelines_dir=workdir)
started = time.perf_counter()
info = pipeline.run(file_exports(exports))
drop_staging_dataset(pipeline)
wall = time.perf_counter() - started
counts = pipeline.last_trace.last_normalize_info.row_counts
rows = sum(n for t, n in counts.items() if not t.startswith("_dlt") and t != "loaded_files")
print(json.dumps([rows, wall]))
"""


def _load_process(exports: Path, warehouse: Path, workdir: Path) -> tuple[int, float, float]:
    """(rows loaded and quarantined, seconds, peak MiB of the process)."""
    env = {**os.environ, "RUNTIME__DLTHUB_TELEMETRY": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-c", _LOAD_CODE, str(exports), str(warehouse), str(workdir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    sampler = PeakSampler(proc.pid)
    out, _ = proc.communicate()
    peak = sampler.stop()
    if proc.returncode:
        raise SystemExit(f"the load failed (exit {proc.returncode})")
    rows, wall = json.loads(out.strip().splitlines()[-1])
    return rows, wall, peak


def add_one_day(exports: Path, seed: int) -> int:
    """One new file per entity: ~0.3% of its rows re-exported under a later file name
    (the later name wins METRICS.md's dedupe ties, as a next day's export would)."""
    con = duckdb.connect()
    added = 0
    for entity in ENTITIES.values():
        source = exports / f"{entity.name}.csv"
        if not source.exists():
            continue
        target = exports / f"{entity.name}_2099-12-31.csv"
        assert file_entity(target.name, list(ENTITIES)) == entity.name
        con.execute(
            f"COPY (SELECT * FROM read_csv('{source}', {CSV_OPTIONS}) "
            f"USING SAMPLE {DAY_FRACTION} PERCENT (bernoulli, {seed})) "
            f"TO '{target}' (HEADER, DELIMITER ',')"
        )
        added += con.execute(
            f"SELECT count(*) FROM read_csv('{target}', {CSV_OPTIONS})"
        ).fetchone()[0]
    con.close()
    return added


def cli_run(home: Path, exports: Path, what: str) -> Run:
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(home / "dagster")}
    (home / "dagster").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "orchestration.cli", "run", "--inputs", str(exports)]
    command += ["--warehouse", str(home / "warehouse.duckdb")]
    started_at = time.time()
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    sampler = PeakSampler(proc.pid)
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    run = Run(what, wall, sampler.stop(), proc.returncode == 0, tail=out[-3000:])
    if "nothing changed since" not in out:  # a skipped run starts no Dagster run, no dbt
        run.steps = step_durations(home / "dagster")
        run.dbt = dbt_durations(started_at)
    print(f"run       {what}: {wall:.1f}s ({'ok' if run.ok else 'FAILED'})", flush=True)
    if not run.ok:
        print(run.tail)
    return run


def step_durations(dagster_home: Path) -> dict[str, float]:
    """Each step's wall time in the instance's latest run (Dagster's step stats)."""
    code = (
        "import json\n"
        "from dagster import DagsterInstance\n"
        "with DagsterInstance.get() as i:\n"
        "    run = i.get_runs(limit=1)[0]\n"
        "    print(json.dumps({s.step_key: (s.end_time or 0) - (s.start_time or 0)"
        " for s in i.get_run_step_stats(run.run_id)}))\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(result.stdout) if result.returncode == 0 else {}


def dbt_durations(since: float) -> dict[str, float]:
    """Seconds dbt spent per kind of node, from the run_results.json this run wrote."""
    found = [p for p in DBT_TARGET.rglob("run_results.json") if p.stat().st_mtime >= since]
    if not found:
        return {}
    results = json.loads(max(found, key=lambda p: p.stat().st_mtime).read_text())["results"]
    totals: dict[str, float] = {}
    for r in results:
        kind = r["unique_id"].split(".", 1)[0]
        if kind == "test" and r["unique_id"].count(".") and "_stg_" in r["unique_id"]:
            kind = "test (staging)"
        totals[kind] = totals.get(kind, 0.0) + r["execution_time"]
    return totals


def marts_differences(left: Path, right: Path) -> dict[str, int]:
    """Rows in one warehouse's marts and not the other's, per mart (EXCEPT ALL)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{left}' AS l (READ_ONLY)")
    con.execute(f"ATTACH '{right}' AS r (READ_ONLY)")
    marts = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'l'"
            " AND table_schema LIKE '%marts' AND table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    ]
    schema = con.execute(
        "SELECT DISTINCT table_schema FROM information_schema.tables"
        " WHERE table_catalog = 'l' AND table_schema LIKE '%marts'"
    ).fetchone()[0]
    out = {}
    for mart in marts:
        a, b = f"l.{schema}.{mart}", f"r.{schema}.{mart}"
        out[mart] = con.execute(
            f"SELECT (SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b}))"
            f" + (SELECT count(*) FROM (FROM {b} EXCEPT ALL FROM {a}))"
        ).fetchone()[0]
    con.close()
    return out


class PeakSampler:
    """Peak summed resident memory of a process and all its descendants, from /proc."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak / 2**20

    def _loop(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, sum(_rss(p) for p in _tree(self.pid)))
            self._done.wait(self.every)


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _step_group(key: str) -> str:
    if key.startswith("dbt"):
        return "dbt"
    if "check" in key or "quality" in key or "gx" in key:
        return "checks"
    return "load" if "file" in key or "raw" in key else "other"


def print_table(rows, read_wall, read_peak, runs: list[Run], equal) -> None:
    print()
    print("| step | wall | peak memory |\n|---|---|---|")
    print(
        f"| DuckDB read_csv of every file | {read_wall:.1f} s ({rows / read_wall / 1e6:.2f}M rows/s)"
        f" | {read_peak / 1024:.1f} GB |"
    )
    for run in runs:
        print(
            f"| `provider-view run`: {run.what} | {run.wall:.1f} s"
            f"{'' if run.ok else ' FAILED'} | {run.peak_mib / 1024:.1f} GB |"
        )
    for run in runs:
        groups: dict[str, float] = {}
        for key, seconds in run.steps.items():
            groups[_step_group(key)] = groups.get(_step_group(key), 0.0) + seconds
        print(
            f"\n{run.what}: steps " + ", ".join(f"{k} {v:.1f}s" for k, v in sorted(groups.items()))
        )
        if run is runs[0] and groups.get("load"):
            rate = rows / groups["load"]
            print(f"  load {rate / 1e3:,.0f}k rows/s = {rate / (rows / read_wall):.2f}x read_csv")
        if "checks" in groups:
            print(f"  checks {100 * groups['checks'] / run.wall:.0f}% of the run")
        if run.dbt:
            print("  dbt nodes " + ", ".join(f"{k} {v:.1f}s" for k, v in sorted(run.dbt.items())))
        for key, seconds in sorted(run.steps.items(), key=lambda kv: -kv[1])[:8]:
            print(f"    {key}: {seconds:.1f}s")
    day = next((r for r in runs if r.what.startswith("one-day")), None)
    if day is not None:
        full = [r for r in runs if r.what.startswith(("run, fresh", "full rebuild"))]
        print(
            "\none-day refresh = "
            + ", ".join(f"{100 * day.wall / r.wall:.0f}% of the {r.what}" for r in full)
        )
    if equal is not None:
        differing = {k: v for k, v in equal.items() if v}
        print(
            f"\nmarts after the one-day refresh == full rebuild: "
            f"{'yes' if not differing else 'NO ' + str(differing)} ({len(equal)} marts)"
        )


if __name__ == "__main__":
    main()
