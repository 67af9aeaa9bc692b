"""Leads from the export most clinics actually have: a CSV or JSON-lines file from a web
form or CRM, on any fsspec path (local, s3://, gs://, a glob of daily drops).

Each lead gets its platform and, for paid leads, the campaign id from its UTM tags and
click ids (rules in attribution.py). Exports are re-read whole and merged on
(clinic_id, lead_id): a later file repeating a lead updates it.
"""

from __future__ import annotations

import dlt
from dlt.extract.resource import DltResource

from ingestion.leads.attribution import campaign_id, platform
from ingestion.leads.readers import SOURCE, read_leads

CANONICAL = (
    "lead_id", "clinic_id", "created_at", "email", "phone", "platform", "campaign_id",
    "utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid",
)  # fmt: skip
OPTIONAL = tuple(
    c for c in CANONICAL if c not in ("lead_id", "clinic_id", "created_at", "platform")
)


def lead_row(raw: dict, clinic_id: str) -> dict:
    lead = {**raw, "clinic_id": clinic_id}
    lead["platform"] = platform(lead)
    lead["campaign_id"] = campaign_id(lead, lead["platform"])
    return {column: lead.get(column) for column in CANONICAL}


@dlt.source(name=SOURCE)
def leads_source(
    path: str = dlt.config.value,
    clinic_id: str = dlt.config.value,
    file_format: str | None = None,
    column_map: dict[str, str] | None = None,
    storage_options: dict | None = None,
    chunk_size: int = 5000,
) -> DltResource:
    """`path` may be a glob; `column_map` maps a file's own header names to canonical ones;
    `storage_options` (e.g. s3 keys, from secrets) go to fsspec."""
    dlt.current.source_schema().remove_type_detection("iso_timestamp")

    @dlt.resource(
        name="leads",
        primary_key=("clinic_id", "lead_id"),
        write_disposition="merge",
        columns={name: {"data_type": "text", "nullable": True} for name in OPTIONAL},
    )
    def leads():
        # Keep the last version of each lead (files are read in name order), so which
        # duplicate wins never depends on the destination's merge.
        latest = {
            raw["lead_id"]: lead_row(raw, clinic_id)
            for raw in read_leads(path, file_format, column_map, storage_options)
        }
        rows = list(latest.values())
        for start in range(0, len(rows), chunk_size):
            yield rows[start : start + chunk_size]

    return leads
