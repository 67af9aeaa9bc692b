"""Every source, declared once. The CLI's --source choices and PROVIDER_VIEW_SOURCES
(orchestration/settings.py), the Dagster raw assets (orchestration/defs/api_sources.py),
the quality checks on each staged table (orchestration/defs/checks.py) and dbt's
`canonical_sources` var (dbt_project.yml: which sources stage each canonical entity, read
by the int_*_unioned models and the location and reference macros; a test asserts it equals
this registry) all come from here.

A source is: one ingestion package whose `@dlt.source` loads `raw_<name>` (one resource per
canonical entity it carries, named after the entity), its staging folder
`dbt_project/models/staging/<name>/` with one `stg_<name>__<entity>` per entity in the
canonical columns (and `stg_<name>__quarantine` when staging refuses rows), and one entry
below. No Dagster here: settings and ingestion import it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingestion.files.entities import ENTITIES

FILE_SOURCE = "files"


@dataclass(frozen=True)
class ApiSource:
    name: str
    factory: str  # "package:function" of the @dlt.source; imported when asked, not here
    entities: tuple[str, ...]  # canonical entities it lands (stg_<name>__<entity>)
    # placeholder arguments for the definition-time source: every argument the source
    # validates is given, so no configuration is read (a bad one fails the run, not the load)
    standin: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()  # keys without a default, for the "not configured" message
    per_account: bool = False  # an ad source: one failing account must not stop the others
    quarantines: bool = False  # staging refuses rows into stg_<name>__quarantine

    @property
    def dataset(self) -> str:
        return f"raw_{self.name}"

    def build(self, **arguments: Any):
        """The dlt source (no arguments: everything from dlt's config providers)."""
        module, function = self.factory.split(":")
        source: Callable = getattr(importlib.import_module(module), function)
        return source(**arguments)

    def staging_model(self, entity: str) -> str:
        return f"stg_{self.name}__{entity}"

    @property
    def staging_prefixes(self) -> tuple[str, str]:
        """The names of the models in its staging folder begin with one of these."""
        return (f"base_{self.name}__", f"stg_{self.name}__")


_BOOKING_ENTITIES = (
    "locations",
    "providers",
    "services",
    "patients",
    "appointments",
    "invoice_lines",
)

API_SOURCES: dict[str, ApiSource] = {
    source.name: source
    for source in (
        ApiSource(
            "google_ads",
            "ingestion.google_ads:google_ads_source",
            ("ad_spend",),
            {
                "accounts": [{"customer_id": "0", "clinic_id": "standin"}],
                "customer_id": None,
                "clinic_id": None,
                "start_date": "",
                "credentials": dict.fromkeys(
                    ("developer_token", "client_id", "client_secret", "refresh_token"), ""
                ),
            },
            (
                "accounts",
                "start_date",
                "credentials.developer_token",
                "credentials.client_id",
                "credentials.client_secret",
                "credentials.refresh_token",
            ),
            per_account=True,
        ),
        ApiSource(
            "meta_ads",
            "ingestion.meta_ads:meta_ads_source",
            ("ad_spend",),
            {
                "accounts": [{"account_id": "0", "clinic_id": "standin"}],
                "account_id": None,
                "clinic_id": None,
                "start_date": "",
                "access_token": "",
            },
            ("accounts", "start_date", "access_token"),
            per_account=True,
        ),
        ApiSource(
            "zenoti",
            "ingestion.zenoti:zenoti_source",
            _BOOKING_ENTITIES,
            {
                "clinic_id": "standin",
                "centers": None,
                "center_ids": None,
                "start_date": "",
                "api_key": "",
            },
            ("api_key", "start_date", "centers"),
            quarantines=True,
        ),
        ApiSource(
            "boulevard",
            "ingestion.boulevard:boulevard_source",
            _BOOKING_ENTITIES,
            {
                "start_date": "2000-01-01",
                "business_id": "",
                "api_key": "",
                "api_secret": "",
                "clinic_id": "standin",
            },
            ("business_id", "api_key", "api_secret", "start_date", "clinic_id"),
            quarantines=True,
        ),
        ApiSource(
            "leads",
            "ingestion.leads:leads_source",
            ("leads",),
            {"path": "", "clinic_id": ""},
            ("path", "clinic_id"),
        ),
    )
}

SOURCES: tuple[str, ...] = (FILE_SOURCE, *API_SOURCES)


def entities_of(source: str) -> tuple[str, ...]:
    """The canonical entities a source stages (the file source: all of them)."""
    return tuple(ENTITIES) if source == FILE_SOURCE else API_SOURCES[source].entities


def carriers() -> dict[str, list[str]]:
    """Canonical entity -> the sources that stage it, files first: dbt's
    `canonical_sources` var."""
    return {
        entity: [source for source in SOURCES if entity in entities_of(source)]
        for entity in ENTITIES
    }
