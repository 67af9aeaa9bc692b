"""Keep the demo clinic's files when generating them again would write the same bytes.

The generator is deterministic (scale, seed, its code), so a second `make demo` leaves
the files as they are, with their modification times, and the run finds nothing new
(input_fingerprint.py) instead of reading regenerated copies of the same data. A file
edited, added or removed since, another scale or seed, or a changed generator: the folder
is generated again."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingestion.files.reader import ExportFileError, list_export_files

MANIFEST = ".provider-view-demo.json"
_GENERATOR = Path(__file__).resolve().parents[2] / "ingestion"


def _state(out: Path, scale: float, seed: int) -> dict:
    code = hashlib.sha256()
    for path in sorted(_GENERATOR.rglob("*.py")):
        code.update(path.relative_to(_GENERATOR).as_posix().encode() + path.read_bytes())
    files = {f.name: f.fingerprint for f in list_export_files(str(out))}
    return {"scale": scale, "seed": seed, "generator": code.hexdigest(), "files": files}


def already_generated(out: Path, scale: float, seed: int) -> bool:
    """True when `out` holds this generation, untouched since it was written."""
    try:
        recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        return recorded == _state(out, scale, seed) and (out / "truth.json").exists()
    except (OSError, ValueError, ExportFileError):
        return False


def record_generation(out: Path, scale: float, seed: int) -> None:
    (out / MANIFEST).write_text(json.dumps(_state(out, scale, seed), indent=2) + "\n")


@contextmanager
def generating(out: Path, scale: float, seed: int) -> Iterator[None]:
    """The demo clinic generated into `out` by a process of its own while the caller goes
    on (it prepares the run: Dagster's instance, dbt's parse and the imports, ~5 s of one
    core, while the generator takes ~2 s of the other); on leaving, waits for the
    generator, which printed its progress meanwhile, and records the generation."""
    generator = subprocess.Popen(
        [sys.executable, "-m", "ingestion.demo", str(out), "--scale", repr(scale)]
        + ["--seed", str(seed)],
        stdout=subprocess.DEVNULL,  # its per-file summary: the run's summary says more
        stderr=subprocess.PIPE,
        text=True,
    )
    said: list[str] = []
    echo = threading.Thread(target=_echo_progress, args=(generator.stderr, said), daemon=True)
    echo.start()
    try:
        yield
    except BaseException:
        generator.kill()
        raise
    finally:
        generator.wait()
        echo.join()
    if generator.returncode != 0:
        raise RuntimeError(f"the demo generator failed: {said[-1] if said else 'no message'}")
    record_generation(out, scale, seed)


def _echo_progress(stream, said: list[str]) -> None:
    """The generator's progress lines, indented under the CLI's; anything else it says (an
    error) is kept for the one line that reports it."""
    for line in stream:
        line = line.rstrip()
        if line.startswith("demo: "):
            print(f"  {line}", flush=True)
        elif line:
            said.append(line)
