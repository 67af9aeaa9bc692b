"""Synthetic demo clinic: canonical CSV exports (METRICS.md section 1) with planted,
recoverable provider truth and the mess real exports have, plus truth.json.

    from ingestion.demo import generate_clinic
    summary = generate_clinic(Path("data/demo"), scale=1.0, seed=7)

Size is linear in `scale`: per unit of scale about 27,000 patients, 47,000 leads,
90,000 appointments and 97,000 invoice lines over two years. Scale 1 takes about 2 s;
scale 10.3 gives about 1,000,000 invoice lines in about 12 s (2 cores, 1.4 GB peak).
The same seed gives byte-identical files.

Files (entity files per METRICS.md; a later drop's name sorts after the first file):
locations, providers, services, patients, leads, appointments,
appointments_<end_date + 2 days>, provider_shifts, invoice_lines, ad_spend,
ad_spend_<end_date + 1 day> (all .csv) and truth.json.

Modules, one job each: catalog (the clinic and its planted truth), people (patients,
leads), visits (appointments), shifts, invoices, ads, mess (timestamp forms, the
second drop, bad rows), export (contract columns), writer (CSV), truth (truth.json),
timeutil (local time <-> UTC).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from . import catalog as cat
from . import export, mess, truth, writer
from .ads import build_ad_spend, final_spend
from .invoices import build_lines
from .people import draw_leads, draw_patients, lead_table, patient_table
from .shifts import build_shifts
from .visits import build_visits

__all__ = ["generate_clinic"]

EPOCH = date(1970, 1, 1)


def generate_clinic(
    out_dir: Path,
    scale: float = 1.0,
    seed: int = 7,
    end_date: date = date(2026, 9, 30),
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write the demo clinic's CSV exports and truth.json into out_dir.

    Returns {"out_dir", "files": {file name: data rows}, "truth_path", "scale", "seed",
    "end_date"}. Prints nothing; pass `progress` to receive progress lines."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_previous_output(out_dir)
    rng = np.random.default_rng(seed)
    end_day = (end_date - EPOCH).days
    start_day = end_day - cat.HISTORY_DAYS + 1

    say(f"demo: patients and their journeys (scale {scale})")
    pats = draw_patients(rng, scale, start_day, end_day)
    visits, episodes = build_visits(rng, pats, end_day)
    say(f"demo: billing {len(visits.patient):,} appointments")
    lines = build_lines(rng, visits, episodes, end_day)
    shifts = build_shifts(visits, start_day, end_day)
    first_row = np.r_[True, visits.patient[1:] != visits.patient[:-1]]
    if first_row.sum() != pats.n:
        raise AssertionError("every patient has a first appointment")
    first_booked = visits.booked[first_row]
    leads = draw_leads(rng, pats, first_booked, start_day, end_day)
    spend, restated = build_ad_spend(rng, scale, start_day, end_day)
    drop = mess.plan_second_drop(rng, visits, end_day, scale)

    apt_num = export.appointment_numbers(visits)
    order, line_num, inv_num = export.invoice_numbers(lines)
    # Day-30 purchases are issued in the evening and written in UTC: their UTC date
    # is day 31, so only a loader that converts to local time keeps them inside.
    day30 = (lines.visit >= 0) & visits.day30[np.maximum(lines.visit, 0)]
    second_name = f"appointments_{end_date + timedelta(days=2)}.csv"
    restated_name = f"ad_spend_{end_date + timedelta(days=1)}.csv"
    static = export.static_tables()
    bad_by_file, bad_truth = mess.bad_rows(
        {
            "patient_id": "pat_000001",
            "provider_id": cat.PROVIDER_IDS[pats.first_provider[0]],
            "location_id": cat.LOCATION_IDS[pats.loc[0]],
            "service_id": cat.SERVICE_IDS[cat.CONSULT_SERVICE[0]],
            "timestamp": f"{end_date - timedelta(days=20)}T10:00:00",
            "timestamp_end": f"{end_date - timedelta(days=20)}T10:30:00",
            "booked": f"{end_date - timedelta(days=27)}T12:00:00",
            "bad_spend_date": str(end_date - timedelta(days=3)),
            "n_appointments": len(visits.patient),
            "n_lines": len(lines.invoice),
            "n_invoices": int(inv_num.max()),
            "n_leads": len(leads.created),
            "rows": {
                "services": len(cat.SERVICES),
                "appointments": len(visits.patient),
                "invoice_lines": len(lines.invoice),
                "leads": len(leads.created),
                "ad_spend": len(spend["day"]),
            },
            "keys": export.KEYS,
        }
    )

    def formatted():
        """(entity, [(file name, columns)]), built lazily: one table's text at a time."""
        yield "locations", [("locations.csv", static["locations"])]
        yield "providers", [("providers.csv", static["providers"])]
        yield "services", [("services.csv", static["services"])]
        pat_forms = mess.forms(rng, pats.n)
        yield "patients", [("patients.csv", patient_table(rng, pats, first_booked, pat_forms))]
        lead_forms = mess.forms(rng, len(leads.created))
        yield "leads", [("leads.csv", lead_table(rng, leads, lead_forms))]
        yield (
            "appointments",
            zip(
                ("appointments.csv", second_name),
                export.appointment_files(rng, visits, drop, apt_num),
                strict=True,
            ),
        )
        yield "provider_shifts", [("provider_shifts.csv", export.shifts_table(rng, shifts))]
        table = export.invoice_table(rng, lines, apt_num, order, line_num, inv_num, day30)
        yield "invoice_lines", [("invoice_lines.csv", table)]
        del table
        yield (
            "ad_spend",
            [
                ("ad_spend.csv", export.ad_table(spend)),
                (restated_name, export.ad_table(restated)),
            ],
        )

    files: dict[str, int] = {}
    forms_seen: dict[str, int] = {}
    for entity, tables in formatted():
        say(f"demo: writing {entity}")
        for name, table in tables:
            if name == f"{entity}.csv" and entity in bad_by_file:
                items = bad_by_file[entity]
                table = writer.insert_rows(table, [r for r, _ in items], [p for _, p in items])
            files[name] = _write(out_dir / name, entity, table)
            truth.count_forms(table, forms_seen)

    say("demo: truth.json")
    doc = {
        **truth.header(seed, scale, end_date, start_day),
        "realized": {
            "providers": truth.realized(visits, episodes, lines, pats, end_day),
            "campaigns": truth.realized_campaigns(
                visits, episodes, lines, pats, leads, final_spend(spend, restated), end_day
            ),
        },
        "planted": truth.planted_mess(
            visits,
            lines,
            leads,
            drop,
            apt_num,
            line_num,
            inv_num,
            day30,
            spend,
            restated,
            forms_seen,
            end_date,
            second_name,
            restated_name,
        ),
        "bad_rows": bad_truth,
        "files": files,
    }
    truth_path = out_dir / "truth.json"
    truth_path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {
        "out_dir": str(out_dir),
        "files": files,
        "truth_path": str(truth_path),
        "scale": scale,
        "seed": seed,
        "end_date": str(end_date),
    }


def _write(path: Path, entity: str, table: dict) -> int:
    cols = export.COLUMNS[entity]
    if tuple(table) != cols:
        raise AssertionError(f"{path.name}: columns {tuple(table)} != {cols}")
    return writer.write_csv(path, table)


def _remove_previous_output(out_dir: Path) -> None:
    """Delete exactly the files an earlier run recorded, so stale drops (say, from
    another end_date) cannot be loaded alongside the new ones."""
    old = out_dir / "truth.json"
    if not old.exists():
        return
    try:
        names = json.loads(old.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, AttributeError):
        return
    for name in names:
        if "/" not in name and name.endswith(".csv"):
            (out_dir / name).unlink(missing_ok=True)
