"""python -m ingestion.demo OUT_DIR [--scale 1] [--seed 7] [--end-date 2026-09-30]"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from . import generate_clinic


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.demo", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 9, 30))
    args = parser.parse_args(argv)
    summary = generate_clinic(
        args.out_dir,
        scale=args.scale,
        seed=args.seed,
        end_date=args.end_date,
        progress=lambda line: print(line, file=sys.stderr),
    )
    for name, rows in summary["files"].items():
        print(f"{rows:>10,}  {name}")
    print(f"truth: {summary['truth_path']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
