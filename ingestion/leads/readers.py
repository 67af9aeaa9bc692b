"""Read lead exports (CSV, JSON lines, JSON arrays; gzip or not) from any fsspec path,
with their column names mapped onto the canonical ones."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator

import fsspec

from ingestion.http import PayloadError

SOURCE = "leads"

# Normalized header -> canonical column. Covers common form-builder and CRM exports
# (Meta lead ads: id, created_time, phone_number; HubSpot: create_date; Typeform: submitted_at).
ALIASES = {
    "lead_id": ("lead_id", "id", "leadid", "lead", "record_id", "contact_id"),
    "created_at": (
        "created_at", "created_time", "created", "create_date", "created_date", "date_created",
        "submitted_at", "submission_date", "timestamp",
    ),
    "email": ("email", "email_address", "e_mail"),
    "phone": ("phone", "phone_number", "mobile", "mobile_phone", "cell", "cell_phone"),
    "platform": ("platform",),
    **{name: (name,) for name in (
        "utm_source", "utm_medium", "utm_campaign", "utm_id", "gclid", "gbraid", "wbraid",
        "fbclid", "ttclid", "campaign_id",
    )},
}  # fmt: skip
REQUIRED = ("lead_id", "created_at")


def normalize_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _canonical_names(headers: list[str], column_map: dict[str, str]) -> dict[str, str]:
    """Raw header -> canonical column, for the headers we know; `column_map` wins."""
    overrides = {normalize_header(k): v for k, v in column_map.items()}
    lookup = {alias: canon for canon, aliases in ALIASES.items() for alias in aliases}
    names: dict[str, str] = {}
    for header in headers:
        key = normalize_header(header)
        canon = overrides.get(key) or lookup.get(key)
        if canon and canon not in names.values():  # the first matching column wins
            names[header] = canon
    return names


def _format(path: str, file_format: str | None) -> str:
    if file_format:
        return file_format
    name = re.sub(r"\.(gz|bz2|zst|xz)$", "", path.lower())
    for suffix, kind in (
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "json"),
    ):
        if name.endswith(suffix):
            return kind
    raise PayloadError(f"{SOURCE}: cannot tell the format of {path}; set sources.leads.file_format")


def _records(handle, kind: str, path: str) -> Iterator[tuple[int, dict]]:
    if kind == "csv":
        yield from enumerate(csv.DictReader(handle), start=2)  # line 1 is the header
        return
    if kind == "json":
        records = json.load(handle)
        if not isinstance(records, list):
            raise PayloadError(f"{SOURCE}: {path} should hold a JSON array of lead objects")
        yield from enumerate(records, start=1)
        return
    for number, line in enumerate(handle, start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise PayloadError(
                    f"{SOURCE}: {path} line {number} is not JSON ({exc.msg})"
                ) from None


def read_leads(
    path: str,
    file_format: str | None = None,
    column_map: dict[str, str] | None = None,
    storage_options: dict | None = None,
) -> Iterator[dict]:
    """Yield each lead as {canonical column: value}, files in name order (later files win)."""
    files = sorted(
        fsspec.open_files(
            path, mode="rt", encoding="utf-8-sig", compression="infer", **(storage_options or {})
        ),
        key=lambda f: f.path,
    )
    if not files:
        raise PayloadError(f"{SOURCE}: no file matches {path}")
    mappings: dict[tuple[str, ...], dict[str, str]] = {}  # JSON records may differ in keys
    for file in files:
        kind = _format(file.path, file_format)
        with file as handle:
            for number, record in _records(handle, kind, file.path):
                if not isinstance(record, dict):
                    raise PayloadError(f"{SOURCE}: {file.path} record {number} is not an object")
                keys = tuple(record)
                if keys not in mappings:
                    mappings[keys] = _checked_names(list(keys), column_map or {}, file.path)
                lead = {canon: _clean(record.get(raw)) for raw, canon in mappings[keys].items()}
                if not lead.get("lead_id") or not lead.get("created_at"):
                    raise PayloadError(
                        f"{SOURCE}: {file.path} record {number} has no lead id or created time"
                    )
                yield lead


def _checked_names(headers: list[str], column_map: dict[str, str], path: str) -> dict[str, str]:
    names = _canonical_names(headers, column_map)
    missing = [c for c in REQUIRED if c not in names.values()]
    if missing:
        raise PayloadError(
            f"{SOURCE}: {path} has no {' or '.join(missing)} column; name it one of "
            f"{[ALIASES[c] for c in missing]} or map it in sources.leads.column_map"
        )
    return names


def _clean(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
