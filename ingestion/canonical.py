"""What the API sources that land canonical entities share (ingestion/zenoti,
ingestion/boulevard): each entity is one dlt resource named after it, merged on its
canonical key (ingestion/files/entities.py), its optional columns declared as text; a
clinic's category overrides and the consultation pattern are read the same way."""

from __future__ import annotations

import re

import dlt

from ingestion.files.entities import ENTITIES

# A service whose name matches is a consultation unless the source is told otherwise.
CONSULTATION_PATTERN = r"consult"


def key_of(entity: str) -> str:
    (key,) = ENTITIES[entity].key
    return key


def text_columns(*names: str) -> dict:
    """Column hints that keep optional columns present (and text) in a load without them."""
    return {name: {"data_type": "text", "nullable": True} for name in names}


def canonical_resource(entity: str, columns: dict, **hints):
    """The resource of a canonical entity: merged on the entity's key."""
    return dlt.resource(
        name=entity,
        primary_key=key_of(entity),
        write_disposition="merge",
        columns=columns,
        **hints,
    )


def category_overrides(category_map: dict[str, str] | None) -> dict[str, str]:
    """A clinic's `category_map` ({source category name: canonical category}), keyed by
    the trimmed, lower-case name the mappings look up."""
    return {name.strip().lower(): category for name, category in (category_map or {}).items()}


def consultation_matcher(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)
