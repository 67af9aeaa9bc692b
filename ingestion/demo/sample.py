"""The shipped sample (data/sample): a small cut of the demo clinic with planted bad rows.

    python -m ingestion.demo.sample data/sample

Two of the demo's locations in different time zones (Boulder, America/Denver, and
Scottsdale, America/Phoenix), their providers and the last ~3 months of activity,
cut set-based in DuckDB from a generated clinic so every reference resolves, plus
PLANTED: one bad row per kind of refusal, each with the reason the pipeline gives.
The same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion.files.entities import ENTITIES
from ingestion.files.reader import parse_export

from . import generate_clinic, writer

SCALE = 0.1
SEED = 7
END_DATE = date(2026, 9, 30)
DAYS = 92
LOCATIONS = ("loc_02", "loc_03")

# (entity, a filter of its rows) in an order where each reads only entities cut before it
_CUTS = (
    ("locations", "location_id in {locations}"),
    ("providers", "location_id in {locations}"),
    ("services", "true"),
    (
        "appointments",
        """location_id in {locations} and left(start_at, 10) between {start} and {end}
        and provider_id in (select provider_id from providers)
        and service_id in (select service_id from services)""",
    ),
    (
        "invoice_lines",
        """location_id in {locations} and left(issued_at, 10) between {start} and {end}
        and provider_id in (select provider_id from providers)
        and (service_id = '' or service_id in (select service_id from services))""",
    ),
    (
        "patients",
        """location_id in {locations} and patient_id in
        (select patient_id from appointments union select patient_id from invoice_lines)""",
    ),
    ("leads", "left(created_at, 10) between {start} and {end}"),
    (
        "provider_shifts",
        """location_id in {locations} and left(start_at, 10) between {start} and {end}
        and provider_id in (select provider_id from providers)""",
    ),
    ("ad_spend", "date between {start} and {end}"),
    # rows whose patient, or the line they refund, fell outside the cut
    ("appointments", "patient_id in (select patient_id from patients)"),
    (
        "invoice_lines",
        """patient_id in (select patient_id from patients)
        and (refund_of_line_id = '' or refund_of_line_id in (select line_id from invoice_lines))""",
    ),
)


@dataclass(frozen=True)
class Planted:
    """One bad row: where it goes, its key, and words its quarantine reason holds."""

    entity: str
    key: str  # record_key as the quarantine shows it
    reason: str
    row: dict[str, str] | None = None  # None: `line` is written as raw text instead
    line: str = ""


def planted(end: date) -> tuple[Planted, ...]:
    day = str(end - timedelta(days=20))
    appointment = dict(
        location_id="loc_02",
        patient_id="",  # filled with a kept patient
        provider_id="prov_05",
        service_id="svc_01",
        booked_at=f"{end - timedelta(days=27)}T12:00:00",
        start_at=f"{day}T10:00:00",
        end_at=f"{day}T10:30:00",
        status="completed",
        cancelled_at="",
        updated_at=f"{day}T10:30:00",
    )
    line = dict(
        invoice_id="inv_9000001",
        location_id="loc_03",
        patient_id="",
        provider_id="prov_08",
        appointment_id="",
        service_id="svc_02",
        item_type="service",
        quantity="1",
        unit_price="250.00",
        discount="0.00",
        tax="0.00",
        tip="0.00",
        invoice_status="closed",
        issued_at=f"{day}T15:00:00",
        refund_of_line_id="",
        updated_at=f"{day}T15:00:00",
    )
    return (
        Planted(
            "appointments",
            "apt_9000001",
            "unknown status: 'Checked Out'",
            {**appointment, "appointment_id": "apt_9000001", "status": "Checked Out"},
        ),
        Planted(
            "appointments",
            "apt_9000002",
            "end_at before start_at",
            {**appointment, "appointment_id": "apt_9000002", "end_at": f"{day}T09:00:00"},
        ),
        Planted(
            "appointments",
            "apt_9000003",
            "unknown provider_id: 'prov_99'",
            {**appointment, "appointment_id": "apt_9000003", "provider_id": "prov_99"},
        ),
        Planted(
            "appointments",
            "",  # a row the CSV parser rejects has no key
            "expected 11 fields, got 4",
            line="apt_9000004,loc_02,,prov_05\n",
        ),
        Planted(
            "invoice_lines",
            "line_9000001",
            "unparseable number in unit_price: '12,50'",
            {**line, "line_id": "line_9000001", "unit_price": "12,50"},
        ),
        Planted(
            "invoice_lines",
            "line_9000002",
            "negative discount without refund_of_line_id",
            {**line, "line_id": "line_9000002", "discount": "-20.00"},
        ),
        Planted(
            "patients",
            "pat_9000001",
            "unparseable timestamp in created_at: '15/07/2026'",
            {
                "patient_id": "pat_9000001",
                "location_id": "loc_02",
                "created_at": "15/07/2026",
                "email": "",
                "phone": "",
                "referral_source": "Instagram",
            },
        ),
        Planted(
            "leads",
            "lead_9000001",
            "unknown platform: 'snapchat'",
            {
                "lead_id": "lead_9000001",
                "clinic_id": "clin_demo",
                "created_at": f"{day}T09:12:00",
                "email": "new.lead@example.org",
                "platform": "snapchat",
            },
        ),
        Planted(
            "provider_shifts",
            "shift_9000001",
            "unknown location_id: 'loc_09'",
            {
                "shift_id": "shift_9000001",
                "provider_id": "prov_05",
                "location_id": "loc_09",
                "start_at": f"{day}T09:00:00",
                "end_at": f"{day}T17:00:00",
            },
        ),
        Planted(
            "ad_spend",
            f"clin_demo|{end - timedelta(days=3)}|google_ads|g_999",
            "negative spend: '-15.00'",
            {
                "date": str(end - timedelta(days=3)),
                "platform": "google_ads",
                "campaign_id": "g_999",
                "clinic_id": "clin_demo",
                "account_id": "381-442-9051",
                "campaign_name": "Search - Test",
                "spend": "-15.00",
                "impressions": "10",
                "clicks": "1",
                "currency": "USD",
            },
        ),
    )


def build_sample(
    out_dir: Path, scale: float = SCALE, seed: int = SEED, end_date: date = END_DATE
) -> dict[str, int]:
    """Write the sample's CSV files into out_dir; returns {file name: data rows}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = end_date - timedelta(days=DAYS - 1)
    params = dict(
        locations="(" + ", ".join(f"'{loc}'" for loc in LOCATIONS) + ")",
        start=f"'{start}'",
        end=f"'{end_date + timedelta(days=2)}'",  # the later drops' rows
    )
    with tempfile.TemporaryDirectory() as tmp, duckdb.connect() as con:
        generated = generate_clinic(Path(tmp), scale=scale, seed=seed, end_date=end_date)
        truth = json.loads(Path(generated["truth_path"]).read_text(encoding="utf-8"))
        names = [n for n in sorted(generated["files"]) if n.endswith(".csv")]
        for entity in ENTITIES:
            tables = [_read(Path(tmp) / n, entity) for n in names if _entity_of(n) == entity]
            con.register("source_rows", pa.concat_tables(tables))
            con.execute(f"create table {entity} as select * from source_rows")
            con.unregister("source_rows")
            demo_bad = [
                _key_text(b["key"], entity) for b in truth["bad_rows"] if b["entity"] == entity
            ]
            if demo_bad:  # the demo's own bad rows: the sample plants its own
                con.execute(f"delete from {entity} where {_key_sql(entity)} in ?", [demo_bad])
        for entity, condition in _CUTS:
            con.execute(f"delete from {entity} where not ({condition.format(**params)})")
        patient = con.sql("select min(patient_id) from patients").fetchall()[0][0]
        counts = {}
        for name in names:
            entity = _entity_of(name)
            table = con.sql(
                f"select * exclude (_file) from {entity} where _file = '{name}'"
            ).to_arrow_table()
            bad = [p for p in planted(end_date) if p.entity == entity and name == f"{entity}.csv"]
            columns = {c: table.column(c).combine_chunks() for c in ENTITIES[entity].column_names}
            rows = [p for p in bad if p.row is not None]
            if rows:
                columns = writer.insert_rows(
                    columns,
                    [_with_patient(p.row, patient) for p in rows],
                    [len(table)] * len(rows),
                )
            counts[name] = writer.write_csv(out_dir / name, columns)
            with open(out_dir / name, "a", encoding="utf-8") as fh:
                for p in bad:
                    if p.row is None:
                        fh.write(p.line)
                        counts[name] += 1
        return counts


def _with_patient(row: dict[str, str], patient: str) -> dict[str, str]:
    return {**row, "patient_id": patient} if row.get("patient_id") == "" else row


def _read(path: Path, entity: str) -> pa.Table:
    spec = ENTITIES[entity]
    parsed = parse_export(path.name, path.read_bytes(), spec.column_names, spec.required_names)
    table = parsed.table.drop_columns(["_row_number"])
    return table.append_column("_file", pa.array([path.name] * len(table), pa.string()))


def _key_sql(entity: str) -> str:
    return " || '|' || ".join(ENTITIES[entity].key)


def _key_text(key: str | dict | None, entity: str) -> str:
    if isinstance(key, dict):
        return "|".join(key[k] for k in ENTITIES[entity].key)
    return key or ""


def _entity_of(name: str) -> str:
    stem = name.removesuffix(".csv")
    return next(e for e in ENTITIES if stem == e or stem.startswith(e + "_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingestion.demo.sample", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args(argv)
    for name, rows in build_sample(args.out_dir).items():
        print(f"{rows:>8,}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
