"""Keep the demo clinic's files when generating them again would write the same bytes.

The generator is deterministic (scale, seed, its code), so a second `make demo` leaves
the files as they are, with their modification times, and the run finds nothing new
(input_fingerprint.py) instead of reading regenerated copies of the same data. A file
edited, added or removed since, another scale or seed, or a changed generator: the folder
is generated again."""

from __future__ import annotations

import hashlib
import json
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
