"""dbt's saved parse, reused by each run's `dbt build` on DuckDB.

dbt keeps a parse between invocations (partial_parse.msgpack) only while a hash of the
profile's connection settings is unchanged. A run builds its own working copy, a new path
each time, so every build would parse the whole project again (about 6 s). What the path
changes is the file dbt opens, not what it parses, as long as the database name dbt derives
from it (its first dot-separated part) is the same. So the parse `provider-view` saves is
given the hash of the build's connection settings, but only when those settings equal the
parse's in everything but the path, and only when the same computation reproduces the
hash dbt saved (any other profile, dbt version or adapter: dbt parses, as before).

A warehouse with another file name (clinic_a.duckdb: database `clinic_a`) parses to other
relation names, so its first build parses the project itself; each build folder notes the
path it was built with (note), and the next build of a file of that name reuses that
build's parse the same way."""

from __future__ import annotations

import hashlib
import json
import pprint
from pathlib import Path

SAVED = "parse_state.msgpack"  # the parse `provider-view` made (others write partial_parse.msgpack)
PROFILE = "parse_state.json"  # the DuckDB path that parse was made with
PARTIAL_PARSE = "partial_parse.msgpack"  # where dbt looks in its target folder


def _connection_info(path: str) -> list[tuple]:
    """The connection settings dbt hashes, for the profile's DuckDB output at `path`."""
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    return sorted(DuckDBCredentials.from_dict({"path": path, "schema": "main"}).connection_info())


def _profile_hash(info: list[tuple]) -> str:
    return hashlib.sha256(pprint.pformat(info).encode("utf-8")).hexdigest()  # as dbt does


def record(folder: Path, path: str) -> None:
    """Note beside a fresh parse in `folder` the DuckDB path it was parsed with."""
    if (folder / PARTIAL_PARSE).exists():
        (folder / SAVED).write_bytes((folder / PARTIAL_PARSE).read_bytes())
        note(folder, path)


def note(folder: Path, path: str) -> None:
    """Note in `folder` the DuckDB path the parse there is (or a build into it will be)
    made with, so that parse can seed later builds of files with the same database name."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROFILE).write_text(json.dumps({"path": path}), encoding="utf-8")


def seed(project_target: Path, build_target: Path, build_path: str) -> bool:
    """Put a saved parse, re-hashed for `build_path`, where a build into `build_target`
    looks for it: the one `provider-view` saved, else the newest parse an earlier build
    left beside it. False (and nothing written) when none can be reused safely."""
    earlier = sorted(
        (p for p in project_target.glob(f"*/{PROFILE}") if p.parent != build_target),
        key=_mtime,
        reverse=True,
    )
    candidates = [(project_target / PROFILE, project_target / SAVED)] + [
        (profile, profile.parent / PARTIAL_PARSE) for profile in earlier
    ]
    for profile, state in candidates:
        rehashed = _rehashed(profile, state, build_path)
        if rehashed is not None:
            build_target.mkdir(parents=True, exist_ok=True)
            (build_target / PARTIAL_PARSE).write_bytes(rehashed)
            return True
    return False


def _rehashed(profile: Path, state_file: Path, build_path: str) -> bytes | None:
    """The parse state in `state_file`, its profile hash made the one dbt computes for
    `build_path`; None when it cannot be reused safely."""
    import msgpack

    try:
        parsed_with = json.loads(profile.read_text(encoding="utf-8"))["path"]
    except (OSError, ValueError, KeyError):
        return None
    before, after = _connection_info(parsed_with), _connection_info(build_path)
    if [i for i in before if i[0] != "path"] != [i for i in after if i[0] != "path"]:
        return None  # another database name or setting: the parse may differ
    try:
        state = msgpack.unpackb(state_file.read_bytes(), strict_map_key=False)
        saved_hash = state["state_check"]["profile_hash"]
    except Exception:  # missing, or half written by a build still running: not this one
        return None
    if saved_hash != {"name": "sha256", "checksum": _profile_hash(before)}:
        return None  # dbt hashes differently than this module assumes
    saved_hash["checksum"] = _profile_hash(after)
    return msgpack.packb(state, use_bin_type=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another process's pruning meanwhile
        return 0.0
