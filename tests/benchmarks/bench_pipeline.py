"""Benchmark: generate the demo clinic at a scale, then load and build it with the CLI.

    .venv/bin/python tests/benchmarks/bench_pipeline.py --scale 10.3   # ~1M invoice lines

Prints the generation time, the wall time of `provider-view run` (load + dbt build,
through Dagster) and the peak resident memory; then regenerates every export with
other rows and runs again (each file's earlier rows are replaced). Not part of
`make test`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingestion.demo import generate_clinic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="keep the data here (default: a temp folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="provider-view-bench-") as tmp:
        root = Path(args.workdir or tmp)
        exports = root / "exports"
        _generate(exports, args.scale, args.seed)
        _run(root, exports, "load + dbt build")
        # every export rewritten with new rows: each file's earlier rows are replaced
        _generate(exports, args.scale, args.seed + 1)
        _run(root, exports, "every file changed, reloaded + dbt build")


def _generate(exports: Path, scale: float, seed: int) -> None:
    started = time.perf_counter()
    summary = generate_clinic(exports, scale=scale, seed=seed)
    generated = time.perf_counter() - started
    lines = summary["files"]["invoice_lines.csv"]
    print(f"generate  scale {scale}, seed {seed}: {lines:,} invoice lines in {generated:.1f}s")


def _run(root: Path, exports: Path, what: str) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(root / "dagster")}
    command = [sys.executable, "-m", "orchestration.cli", "run", "--inputs", str(exports)]
    command += ["--warehouse", str(root / "warehouse.duckdb")]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    # ru_maxrss of the largest child so far (the CLI or the dbt it starts), in KiB on Linux
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    status = "ok" if result.returncode == 0 else f"FAILED:\n{result.stdout[-3000:]}"
    print(f"run       {what}: {elapsed:.1f}s, peak memory {peak_mib:,.0f} MiB ({status})")


if __name__ == "__main__":
    main()
