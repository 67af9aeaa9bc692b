"""data/examples: the shipped sample as an EMR would export it, and the map that reads it.

    python -m ingestion.demo.emr_example data/sample data/examples/emr_export

Appointments and invoice lines become an "Appointment Report" and a "Sales Report" in
the style of typical med-spa EMRs: their own column names, providers named instead of
identified, status and item-type labels ("Checked Out", "Gift Card"), US-style
timestamps ("07/01/2026 09:45 AM"): appointments in each location's local time, sales
in the account's zone (America/Denver) for every location. The other entities are
copied as they are. The sample's planted bad rows are left out and one row naming a
provider who does not exist is planted instead, so the example stages exactly the
sample's good rows: `data/examples/emr_map.toml` read through it gives the sample's marts.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import duckdb

from ingestion.files.entities import ENTITIES
from ingestion.files.reader import file_entity, list_export_files, parse_export, read_bytes
from ingestion.files.rules import OFFSET_PATTERN

from . import writer
from .sample import END_DATE, planted

ACCOUNT_ZONE = "America/Denver"
US_TIME = "%m/%d/%Y %I:%M %p"
STATUS_LABELS = {
    "booked": "Booked",
    "completed": "Checked Out",
    "no_show": "No Show",
    "cancelled": "Cancelled",
    "late_cancelled": "Late Cancel",
}
ITEM_LABELS = {
    "service": "Service",
    "product": "Retail",
    "package": "Package",
    "membership": "Membership",
    "gift_card": "Gift Card",
}
UNKNOWN_PROVIDER = "Dr. Nobody"
# [(report column, SQL over the canonical row)]; {local:c} and {account:c} are the
# timestamp c as wall time at the location or in the account's zone, {label:c} a label
_APPOINTMENTS = [
    ("Appt ID", "appointment_id"),
    ("Location ID", "location_id"),
    ("Client ID", "patient_id"),
    ("Provider", "provider_name"),
    ("Service ID", "service_id"),
    ("Booked On", "{local:booked_at}"),
    ("Start Time", "{local:start_at}"),
    ("End Time", "{local:end_at}"),
    ("Status", "{label:status}"),
    ("Cancelled On", "{local:cancelled_at}"),
    ("Last Modified", "{local:updated_at}"),
]
_SALES = [
    ("Line #", "line_id"),
    ("Invoice #", "invoice_id"),
    ("Location ID", "location_id"),
    ("Client ID", "patient_id"),
    ("Staff", "provider_name"),
    ("Appt ID", "appointment_id"),
    ("Item ID", "service_id"),
    ("Item Type", "{label:item_type}"),
    ("Qty", "quantity"),
    ("Price", "unit_price"),
    ("Discount", "discount"),
    ("Tax", "tax"),
    ("Tip", "tip"),
    ("Invoice Status", "upper(left(invoice_status, 1)) || lower(substr(invoice_status, 2))"),
    ("Sale Date", "{account:issued_at}"),
    ("Refund Of", "refund_of_line_id"),
    ("Modified", "{account:updated_at}"),
]
# entity -> (file name prefix, columns): a file name still starts with its entity's name
REPORTS = {
    "appointments": ("appointments_report", _APPOINTMENTS),
    "invoice_lines": ("invoice_lines_sales_report", _SALES),
}


def _instant(column: str) -> str:
    """The canonical time rule: an offset or Z is an instant, else local at the location."""
    value = f"nullif(trim({column}), '')"
    return (
        f"case when regexp_matches({value}, '{OFFSET_PATTERN}') then cast({value} as timestamptz)"
        f" else timezone(loc.timezone, cast({value} as timestamp)) end"
    )


def _expression(template: str) -> str:
    if not template.startswith("{"):
        return template
    how, column = template.strip("{}").split(":")
    if how == "label":
        labels = STATUS_LABELS if column == "status" else ITEM_LABELS
        cases = " ".join(f"when '{k}' then '{v}'" for k, v in labels.items())
        return f"case lower(trim({column})) {cases} else {column} end"
    zone = "loc.timezone" if how == "local" else f"'{ACCOUNT_ZONE}'"
    return f"strftime(timezone({zone}, {_instant(column)}), '{US_TIME}')"


def build_example(sample: Path, out_dir: Path) -> dict[str, int]:
    """Write the example export; returns {file name: data rows}."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.csv"):
        old.unlink()
    bad = {p.key for p in planted(END_DATE)}
    counts = {}
    with duckdb.connect() as con:
        for entity in ("locations", "providers"):
            _register(con, sample, entity)
        for export in list_export_files(str(sample)):
            entity = file_entity(export.name, list(ENTITIES))
            if entity not in REPORTS:
                shutil.copyfile(export.url.removeprefix("file://"), out_dir / export.name)
                continue
            prefix, columns = REPORTS[entity]
            spec = ENTITIES[entity]
            parsed = parse_export(
                export.name, read_bytes(export), spec.column_names, spec.required_names
            )
            con.register("rows", parsed.table)
            key = spec.key[0]
            selected = ", ".join(f'{_expression(sql)} as "{name}"' for name, sql in columns)
            table = con.sql(
                f"""
                select {selected}
                from rows
                join (select location_id, timezone from locations) as loc using (location_id)
                left join (select provider_id, name as provider_name from providers)
                    using (provider_id)
                where {key} not in ({", ".join(f"'{k}'" for k in bad if k)})
                  and {key} <> '' and provider_name is not null
                order by rows._row_number
                """
            ).to_arrow_table()
            con.unregister("rows")
            columns_out = {c: table.column(c).combine_chunks() for c in table.column_names}
            if export.name == "appointments.csv":
                row = {c: columns_out[c][0].as_py() for c in columns_out}
                columns_out = writer.insert_rows(
                    columns_out,
                    [{**row, "Appt ID": "apt_9000101", "Provider": UNKNOWN_PROVIDER}],
                    [len(table)],
                )
            name = prefix + export.name.removeprefix(entity)
            counts[name] = writer.write_csv(out_dir / name, columns_out)
    return counts


def _register(con: duckdb.DuckDBPyConnection, sample: Path, entity: str) -> None:
    spec = ENTITIES[entity]
    path = sample / f"{entity}.csv"
    parsed = parse_export(path.name, path.read_bytes(), spec.column_names, spec.required_names)
    con.register("parsed", parsed.table)
    con.execute(f"create table {entity} as select * from parsed")
    con.unregister("parsed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.demo.emr_example", description=__doc__
    )
    parser.add_argument("sample", type=Path)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    for name, rows in build_example(args.sample, args.out_dir).items():
        print(f"{rows:>8,}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
