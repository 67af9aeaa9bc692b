"""Write dbt_project/target/manifest.json, which the Dagster graph is built from."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from orchestration import settings
from orchestration.defs import parse_state
from orchestration.project_files import project_files

_PARTIAL_PARSE = "partial_parse.msgpack"
_DIGEST = "manifest.digest"  # what the manifest beside it was parsed from, and its hash
_PACKAGES = ("dbt-core", "dbt-duckdb", "dbt-postgres")  # the parser and its adapters
_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z0-9_]+)['"]""")


def project_digest(project_dir: Path | None = None) -> str:
    """A digest of everything `dbt parse` reads: the project's files, the values of the
    environment variables they name (the profile's target and paths), dbt's own DBT_*
    settings, the dbt executable and the versions of dbt and its adapters. Equal digests
    parse to the same manifest."""
    project_dir = project_dir or settings.DBT_PROJECT_DIR
    digest = hashlib.sha256()
    names: set[str] = set()
    for path in project_files(project_dir):
        relative = path.relative_to(project_dir)
        content = path.read_bytes()
        digest.update(f"{relative.as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
        names.update(_ENV_VAR.findall(content.decode("utf-8", errors="replace")))
    names.update(name for name in os.environ if name.startswith("DBT_"))
    for name in sorted(names):
        digest.update(f"{name}={os.environ.get(name)!r}\0".encode())
    executable = Path(settings.dbt_executable())
    digest.update(f"{executable}\0".encode())
    if executable.exists():  # a reinstalled dbt may parse differently
        digest.update(f"{executable.stat().st_mtime_ns}".encode())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            continue
    return digest.hexdigest()


def manifest_is_current() -> bool:
    """True when target/manifest.json was parsed from this project and these settings."""
    target = settings.DBT_PROJECT_DIR / "target"
    manifest = target / "manifest.json"
    saved = all((target / name).exists() for name in (parse_state.SAVED, parse_state.PROFILE))
    return saved and _read(target / _DIGEST) == f"{project_digest()} {_file_hash(manifest)}"


def parse_dbt_project() -> Path:
    """`dbt parse` in the project folder; raises with dbt's output when it fails. Skipped
    when the manifest was parsed from the same project and settings (project_digest).

    dbt parses into a private folder and the manifest is then swapped in whole, so two
    processes starting at once never read (or build from) a half-written manifest. The
    digest file also holds the hash of the manifest it vouches for, so when two parses
    race and their files cross, the pair does not match and the next run parses again."""
    target = settings.DBT_PROJECT_DIR / "target"
    target.mkdir(exist_ok=True)
    manifest = target / "manifest.json"
    if manifest_is_current():
        return manifest
    digest = project_digest()
    with tempfile.TemporaryDirectory(prefix=".parse-", dir=target) as scratch:
        if (target / _PARTIAL_PARSE).exists():  # keeps the next parse incremental
            shutil.copy2(target / _PARTIAL_PARSE, scratch)
        # the profile's path made explicit, so the parse can be reused by builds of other
        # files (defs/parse_state.py)
        path = os.environ.get(settings.WAREHOUSE_ENV) or str(settings.DEFAULT_WAREHOUSE)
        result = subprocess.run(
            [settings.dbt_executable(), "parse", "--quiet", "--target-path", scratch],
            cwd=settings.DBT_PROJECT_DIR,
            env={**os.environ, settings.WAREHOUSE_ENV: path},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
        parsed = Path(scratch) / "manifest.json"
        (Path(scratch) / _DIGEST).write_text(f"{digest} {_file_hash(parsed)}", encoding="utf-8")
        parse_state.record(Path(scratch), path)
        # the manifest after the parse state, the digest last: readers want the manifest
        saved = (parse_state.SAVED, parse_state.PROFILE)
        for name in (_PARTIAL_PARSE, *saved, "manifest.json", _DIGEST):
            if (Path(scratch) / name).exists():
                os.replace(Path(scratch) / name, target / name)
    return manifest


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def main() -> int:
    """`python -m orchestration.defs.dbt_parse`, run by `make install` as an image's build
    runs `dbt parse`: the first run then builds at once instead of parsing for ~7 s."""
    try:
        manifest = parse_dbt_project()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"dbt manifest: {manifest.relative_to(settings.REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
