"""dbt's saved parse, reused by each run's `dbt build` on DuckDB.

dbt keeps a parse between invocations (partial_parse.msgpack) only while a hash of the
profile's connection settings is unchanged. A run builds its own working copy, a new path
each time, so every build would parse the whole project again (about 6 s). What the path
changes is the file dbt opens, not what it parses, as long as the database name dbt derives
from it (its first dot-separated part) is the same. So the parse `provider-view` saves is
given the hash of the build's connection settings, but only when those settings equal the
parse's in everything but the path, and only when the same computation reproduces the
hash dbt saved (any other profile, dbt version or adapter: dbt parses, as before)."""

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
        (folder / PROFILE).write_text(json.dumps({"path": path}), encoding="utf-8")


def seed(project_target: Path, build_target: Path, build_path: str) -> bool:
    """Put the saved parse, re-hashed for `build_path`, where a build into `build_target`
    looks for it. False (and nothing written) when it cannot be reused safely."""
    import msgpack

    try:
        parsed_with = json.loads((project_target / PROFILE).read_text(encoding="utf-8"))["path"]
        state = msgpack.unpackb((project_target / SAVED).read_bytes(), strict_map_key=False)
    except (OSError, ValueError, KeyError):
        return False
    before, after = _connection_info(parsed_with), _connection_info(build_path)
    if [i for i in before if i[0] != "path"] != [i for i in after if i[0] != "path"]:
        return False  # another database name or setting: the parse may differ
    saved_hash = state["state_check"]["profile_hash"]
    if saved_hash != {"name": "sha256", "checksum": _profile_hash(before)}:
        return False  # dbt hashes differently than this module assumes
    saved_hash["checksum"] = _profile_hash(after)
    build_target.mkdir(parents=True, exist_ok=True)
    (build_target / PARTIAL_PARSE).write_bytes(msgpack.packb(state, use_bin_type=True))
    return True
