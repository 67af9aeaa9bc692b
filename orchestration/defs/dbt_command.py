"""`provider-view-dbt`: dbt's own command line without Python's cyclic garbage collector,
the dbt the pipeline runs (the build, the parse; settings.dbt_executable).

A dbt process holds its whole manifest as Python objects, and the collector walks all of
them again and again while dbt renders and runs every node: 13 full collections in a
build of this project, 4.7 s of a 25 s build (measured with gc callbacks, December 2026).
Without the collector the build took 3-4 s less (20.0-24.1 s against 24.4-27.2 s, in
pairs) and its peak memory rose by ~150 MB (0.39-0.45 GB to 0.52-0.57 GB): the cycles
dbt leaves behind are per node, not per row, so the rise does not grow with the data.
Before exiting it freezes what it holds, so Python's shutdown does not walk it either."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    gc.disable()
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"  # what dbt calls itself in its messages
    try:
        cli()  # click exits with dbt's own code
    finally:
        gc.freeze()
