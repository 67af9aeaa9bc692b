"""The demo generator writes the canonical import format, plants the mess it
claims, and its truth.json is honest: a small pandas re-implementation of the
METRICS.md rules, reading only the CSV files, recovers the realized numbers exactly
and the planted parameters within sampling noise."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from metrics_contract import contract_entities, contract_value_sets

from ingestion.demo import generate_clinic

SCALE = 0.2
SEED = 11
END = date(2026, 9, 30)
SECOND_DROP = f"appointments_{END + timedelta(days=2)}.csv"
RESTATED = f"ad_spend_{END + timedelta(days=1)}.csv"

# METRICS.md section 1, read from its text so the test does not trust the generator.
CONTRACT = {name: list(entity.columns) for name, entity in contract_entities().items()}
KEY = {name: e.key[0] for name, e in contract_entities().items() if len(e.key) == 1}
VALUE_SETS = contract_value_sets()
CATEGORIES = VALUE_SETS["services.category"]
STATUSES = VALUE_SETS["appointments.status"]
ITEM_TYPES = VALUE_SETS["invoice_lines.item_type"]
INVOICE_STATUSES = VALUE_SETS["invoice_lines.invoice_status"]
PLATFORMS = VALUE_SETS["leads.platform"]
WINDOW = 30
TZ = {"loc_01": "America/Denver", "loc_02": "America/Denver", "loc_03": "America/Phoenix"}
AWARE = re.compile(r"(?:Z|[+-]\d\d:\d\d)$")


# ---- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    summary = generate_clinic(out, scale=SCALE, seed=SEED, end_date=END)
    assert Path(summary["truth_path"]) == out / "truth.json"
    assert summary["files"]["invoice_lines.csv"] > 10_000
    return out


@pytest.fixture(scope="module")
def truth(demo: Path) -> dict:
    return json.loads((demo / "truth.json").read_text(encoding="utf-8"))


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _entity(demo: Path, entity: str) -> pd.DataFrame:
    """All files of an entity in name order, with the file and row kept."""
    frames = []
    for path in sorted(demo.glob(f"{entity}*.csv")):
        if path.stem != entity and not path.stem.startswith(f"{entity}_2"):
            continue  # "providers" must not pick up "provider_shifts"
        df = _read(path)
        df["_file"], df["_row"] = path.name, np.arange(len(df))
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def data(demo: Path, truth: dict) -> dict:
    """The files loaded by the rules: bad rows out, later versions win, local times."""
    tz = truth["timezones"]
    bad = {(b["entity"], json.dumps(b["key"], sort_keys=True)) for b in truth["bad_rows"]}

    def drop_bad(entity, df):
        keys = df[KEY[entity]].map(lambda k: json.dumps(k or None))
        return df[~keys.map(lambda k: (entity, k) in bad)].copy()

    services = drop_bad("services", _entity(demo, "services"))
    services["consult"] = services["is_consultation"] == "true"

    appts = drop_bad("appointments", _entity(demo, "appointments"))
    zone = appts["location_id"].map(tz)
    for col in ("booked_at", "start_at", "end_at", "updated_at"):
        appts[col] = _local(appts[col], zone)
    appts["updated_utc"] = _utc(appts["updated_at"], zone)
    appts = appts.sort_values(["updated_utc", "_file", "_row"])
    appts = appts.drop_duplicates("appointment_id", keep="last")
    appts["date"] = appts["start_at"].dt.normalize()
    appts = appts.merge(services[["service_id", "consult", "category"]], on="service_id")

    lines = drop_bad("invoice_lines", _entity(demo, "invoice_lines"))
    lines["issued_at"] = _local(lines["issued_at"], lines["location_id"].map(tz))
    for col in ("quantity", "unit_price", "discount"):
        lines[col] = pd.to_numeric(lines[col])
    cents = (lines["quantity"] * lines["unit_price"] * 100).round() - (
        lines["discount"] * 100
    ).round()
    ok = (lines["invoice_status"] == "closed") & (lines["item_type"] != "gift_card")
    lines["net"] = np.where(ok, cents, 0).astype(np.int64)
    refund = lines["refund_of_line_id"] != ""
    back = lines[refund].groupby("refund_of_line_id")["net"].sum()
    lines["adj"] = np.where(refund, 0, lines["net"] + lines["line_id"].map(back).fillna(0))
    lines["date"] = lines["issued_at"].dt.normalize()
    lines = lines.merge(services[["service_id", "consult"]], on="service_id", how="left")

    as_of = max(
        appts.loc[appts["status"] == "completed", "date"].max(),
        lines.loc[lines["invoice_status"] == "closed", "date"].max(),
    )
    return {"appts": appts, "lines": lines, "services": services, "as_of": as_of}


def _local(values: pd.Series, zone: pd.Series) -> pd.Series:
    """Local wall time at the row's zone: offsets and Z are converted, naive kept."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    aware = values.str.contains(AWARE)
    naive = ~aware & (values != "")
    out[naive] = pd.to_datetime(values[naive], format="%Y-%m-%dT%H:%M:%S")
    parsed = pd.to_datetime(values[aware], utc=True, format="ISO8601")
    for name in zone[aware].unique():
        sel = zone[aware] == name
        out.loc[sel[sel].index] = parsed[sel].dt.tz_convert(name).dt.tz_localize(None)
    return out


def _utc(local: pd.Series, zone: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=local.index, dtype="datetime64[ns, UTC]")
    for name in zone.unique():
        sel = zone == name
        out[sel] = local[sel].dt.tz_localize(name).dt.tz_convert("UTC")
    return out


# ---- format ------------------------------------------------------------------------


def test_same_seed_same_bytes_and_another_seed_differs(demo: Path, tmp_path: Path):
    generate_clinic(tmp_path / "again", scale=SCALE, seed=SEED, end_date=END)
    generate_clinic(tmp_path / "other", scale=SCALE, seed=SEED + 1, end_date=END)
    names = sorted(p.name for p in demo.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in names:
        assert (demo / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    for name in ("appointments.csv", "invoice_lines.csv", "leads.csv", "truth.json"):
        assert (demo / name).read_bytes() != (tmp_path / "other" / name).read_bytes(), name


def test_files_and_exact_contract_columns(demo: Path, truth: dict):
    expected = {f"{e}.csv" for e in CONTRACT} | {
        SECOND_DROP,
        RESTATED,
        "truth.json",
    }
    assert {p.name for p in demo.iterdir()} == expected
    assert truth["timezones"] == TZ
    for path in demo.glob("*.csv"):
        entity = next(e for e in CONTRACT if path.stem == e or path.stem.startswith(f"{e}_2"))
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == CONTRACT[entity], path.name
        assert len(_read(path)) == truth["files"][path.name]
    # Later drops sort after the first file, as the contract's dedupe rule needs.
    assert sorted(["appointments.csv", SECOND_DROP])[-1] == SECOND_DROP


def test_value_sets_hold_outside_the_planted_bad_rows(demo: Path, truth: dict):
    bad_keys = {json.dumps(b["key"], sort_keys=True) for b in truth["bad_rows"]}

    def clean(entity, df):
        if entity == "ad_spend":
            keys = df.apply(
                lambda r: json.dumps(
                    {
                        "campaign_id": r.campaign_id,
                        "clinic_id": r.clinic_id,
                        "date": r.date,
                        "platform": r.platform,
                    },
                    sort_keys=True,
                ),
                axis=1,
            )
        else:
            keys = df[KEY[entity]].map(lambda k: json.dumps(k or None))
        return df[~keys.isin(bad_keys)]

    checks = [
        ("services", "category", CATEGORIES),
        ("services", "is_consultation", {"true", "false"}),
        ("providers", "active", {"true", "false"}),
        ("appointments", "status", STATUSES),
        ("invoice_lines", "item_type", ITEM_TYPES),
        ("invoice_lines", "invoice_status", INVOICE_STATUSES),
        ("leads", "platform", PLATFORMS),
        ("ad_spend", "platform", PLATFORMS),
        ("ad_spend", "currency", {"USD"}),
    ]
    for entity, col, allowed in checks:
        df = clean(entity, _entity(demo, entity))
        assert set(df[col]) <= allowed, (entity, col, set(df[col]) - allowed)
    number = re.compile(r"^-?\d+(\.\d+)?$")
    lines = clean("invoice_lines", _entity(demo, "invoice_lines"))
    for col in ("quantity", "unit_price", "discount", "tax", "tip"):
        assert lines[col].str.match(number).all(), col
    spend = clean("ad_spend", _entity(demo, "ad_spend"))
    assert spend["spend"].str.match(number).all()
    assert spend["date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
    appts = clean("appointments", _entity(demo, "appointments"))
    for col in ("booked_at", "start_at", "end_at", "updated_at"):
        pd.to_datetime(appts[col], format="ISO8601", utc=True)  # all parse
    cancelled = appts["status"].isin(["cancelled", "late_cancelled"])
    assert (appts.loc[cancelled, "cancelled_at"] != "").all()
    assert (appts.loc[~cancelled, "cancelled_at"] == "").all()
    # Keys look like the contract's string ids and are unique within a file.
    assert appts["appointment_id"].str.match(r"^apt_\d{7}$").all()
    assert (
        not _read(demo / "appointments.csv")["appointment_id"]
        .loc[lambda s: s != ""]
        .duplicated()
        .any()
    )
    assert lines["line_id"].str.match(r"^line_\d{7}$").all()
    assert not lines["line_id"].duplicated().any()


def test_planted_bad_rows_are_where_truth_says(demo: Path, truth: dict):
    kinds = {b["kind"] for b in truth["bad_rows"]}
    assert kinds >= {
        "unparseable_timestamp",
        "impossible_date",
        "unknown_status",
        "unknown_item_type",
        "unknown_invoice_status",
        "unknown_platform",
        "unknown_category",
        "non_numeric_amount",
        "empty_key",
    }
    everywhere = "".join(p.read_text(encoding="utf-8") for p in demo.glob("*.csv"))
    for bad in truth["bad_rows"]:
        df = _read(demo / bad["file"])
        if bad["key"] is None:
            rows = df[df[KEY[bad["entity"]]] == ""]
        elif isinstance(bad["key"], dict):
            rows = df[np.logical_and.reduce([df[c] == v for c, v in bad["key"].items()])]
        else:
            rows = df[df[KEY[bad["entity"]]] == bad["key"]]
            assert everywhere.count(bad["key"]) == 1, bad  # the key appears nowhere else
        assert len(rows) == 1, bad
        assert rows.iloc[0][bad["column"]] == bad["value"], bad
    assert '"12,5x"' in (demo / "invoice_lines.csv").read_text(encoding="utf-8")


def test_timestamps_come_in_three_forms_for_the_same_local_instants(demo: Path, data: dict):
    raw = _read(demo / "appointments.csv")["start_at"]
    assert raw.str.endswith("Z").sum() > 1000
    assert raw.str.contains(r"[+-]0[67]:00$").sum() > 1000
    assert (~raw.str.contains(AWARE) & (raw != "not-a-date")).sum() > 1000
    # Whatever the form, every appointment starts in clinic hours (09:00-17:30) at its
    # location, on the quarter hour: a wrong offset would push some outside.
    start = data["appts"]["start_at"]
    assert start.dt.hour.between(9, 17).all() and (start.dt.minute % 15 == 0).all()
    assert start.dt.hour.eq(9).any() and start.dt.hour.eq(17).any()
    # The same appointment in both drops, written in independent forms, is one instant.
    zone = _read(demo / "appointments.csv").set_index("appointment_id")["location_id"]
    both = _entity(demo, "appointments").query("appointment_id != ''")
    both = both[both["appointment_id"].duplicated(keep=False)]
    both["t"] = _local(both["start_at"], both["appointment_id"].map(zone).map(TZ))
    assert both.groupby("appointment_id")["t"].nunique().eq(1).all()
    assert both["start_at"].str.extract(r"(Z|[+-]\d\d:\d\d)$")[0].fillna("naive").nunique() > 1
    # Evening visits in Denver have a UTC date one day later: the trap is really there.
    lines = _read(demo / "invoice_lines.csv")
    z = lines["issued_at"].str.endswith("Z")
    local = data["lines"].set_index("line_id")["date"]
    utc_date = pd.to_datetime(lines.loc[z, "issued_at"].str[:10]).values
    assert (utc_date > local.reindex(lines.loc[z, "line_id"]).values).sum() > 100


def test_second_appointment_drop_and_restated_ad_spend(demo: Path, truth: dict, data: dict):
    first = _read(demo / "appointments.csv").set_index("appointment_id")
    later = _read(demo / SECOND_DROP).set_index("appointment_id")
    assert later.index.isin(first.index).all()
    planted = truth["planted"]["second_appointments_drop"]
    moved = later[first.loc[later.index, "status"] == "booked"]
    assert len(moved) == planted["status_updates"]["count"]
    assert set(moved["status"]) == {"completed", "no_show"}
    stale = later[later["status"] == "booked"]
    assert len(stale) == planted["stale_versions"]["count"] >= 3
    assert (first.loc[stale.index, "status"] == "completed").all()
    # The stale version loses although its text sorts later; the update wins.
    final = data["appts"].set_index("appointment_id")["status"]
    assert (final[stale.index] == "completed").all()
    assert (final[moved.index] == moved["status"]).all()
    assert (stale["updated_at"] > first.loc[stale.index, "updated_at"]).all()

    spend = _read(demo / "ad_spend.csv")
    restated = _read(demo / RESTATED)
    key = ["date", "platform", "campaign_id"]
    both = restated.merge(spend, on=key, suffixes=("", "_old"))
    assert len(both) == len(restated) == truth["planted"]["restated_ad_spend"]["rows"]
    assert (both["spend"] != both["spend_old"]).mean() > 0.9
    assert restated["date"].nunique() == 14 and restated["date"].max() == str(END)
    final = pd.concat([spend, restated]).drop_duplicates(key, keep="last")
    final = final[final["platform"].isin(PLATFORMS)]
    for campaign, entry in truth["realized"]["campaigns"].items():
        if "spend" in entry:
            got = pd.to_numeric(final.loc[final["campaign_id"] == entry["campaign_id"], "spend"])
            assert got.sum() == pytest.approx(entry["spend"], abs=0.01), campaign


# ---- honesty of truth.json ---------------------------------------------------------


def _held_consults(data: dict) -> pd.DataFrame:
    a = data["appts"]
    held = a[a["consult"] & (a["status"] == "completed") & (a["date"] <= data["as_of"])]
    return held[["appointment_id", "patient_id", "provider_id", "date", "start_at"]]


def _conversion(data: dict) -> pd.DataFrame:
    """METRICS.md purchase attribution, straight from the rule."""
    consults = _held_consults(data)
    lines = data["lines"]
    treat = lines[
        lines["item_type"].isin(["service", "package", "membership"])
        & (lines["consult"] == False)  # noqa: E712  (NaN service is not a treatment)
        & (lines["adj"] > 0)
        & (lines["date"] <= data["as_of"])
    ]
    pairs = treat[["line_id", "patient_id", "date", "adj"]].merge(
        consults, on="patient_id", suffixes=("", "_c")
    )
    lag = (pairs["date"] - pairs["date_c"]).dt.days
    pairs = pairs[(lag >= 0) & (lag <= WINDOW)]
    pairs = pairs.sort_values(["line_id", "date_c", "start_at", "appointment_id"])
    won = pairs.drop_duplicates("line_id", keep="last")
    revenue = won.groupby("appointment_id")["adj"].sum()
    consults = consults.assign(revenue=consults["appointment_id"].map(revenue).fillna(0))
    consults["mature"] = consults["date"] + pd.Timedelta(days=WINDOW) <= data["as_of"]
    consults["converted"] = consults["mature"] & (consults["revenue"] > 0)
    return consults


def test_as_of_is_end_date(data: dict, truth: dict):
    assert data["as_of"] == pd.Timestamp(truth["as_of_date"]) == pd.Timestamp(END)


def test_conversion_recomputed_from_files_matches_truth(data: dict, truth: dict):
    consults = _conversion(data)
    by = consults[consults["mature"]].groupby("provider_id")
    for pid, planted in truth["providers"].items():
        real = truth["realized"]["providers"][pid]
        mature, converted = len(by.get_group(pid)), int(by.get_group(pid)["converted"].sum())
        assert (mature, converted) == (real["consults_mature"], real["consults_converted"]), pid
        revenue = by.get_group(pid).loc[lambda d: d["converted"], "revenue"].sum() / 100
        assert revenue == pytest.approx(real["converted_revenue"], abs=0.01), pid
        p = planted["conversion_p"]
        assert abs(converted / mature - p) < 4 * np.sqrt(p * (1 - p) / mature) + 0.01, pid
    rates = consults[consults["mature"]].groupby("provider_id")["converted"].mean()
    planted = pd.Series({k: v["conversion_p"] for k, v in truth["providers"].items()})
    assert rates.corr(planted, method="spearman") > 0.9


def test_window_edges_are_honoured(data: dict, truth: dict):
    consults = _conversion(data).set_index("appointment_id")
    a = data["appts"].set_index("appointment_id")
    edges = truth["planted"]["window_edges"]
    assert edges["day_30_purchases"]["count"] >= 3 and edges["day_31_purchases"]["count"] >= 3
    for apt in edges["day_30_purchases"]["treatment_appointments"]:
        mine = consults[consults["patient_id"] == a.loc[apt, "patient_id"]]
        lag = (a.loc[apt, "date"] - mine["date"]).dt.days
        assert (lag == 30).any() and mine.loc[lag == 30, "converted"].all()
    for apt in edges["day_31_purchases"]["treatment_appointments"]:
        mine = consults[consults["patient_id"] == a.loc[apt, "patient_id"]]
        lag = (a.loc[apt, "date"] - mine["date"]).dt.days
        assert (lag == 31).any() and not mine.loc[lag == 31, "converted"].any()


def test_tickets_returns_and_rebooking_recomputed_from_files(data: dict, truth: dict):
    lines, a, as_of = data["lines"], data["appts"], data["as_of"]
    # Tickets: (invoice, provider) with summed refund-adjusted net > 0.
    tickets = lines.groupby(["invoice_id", "provider_id"])["adj"].sum().loc[lambda s: s > 0]
    tickets = tickets.reset_index()
    # Returns: first completed visit, another completed one in (d, d + 90].
    done = a[(a["status"] == "completed") & (a["date"] <= as_of)]
    done = done.sort_values(["patient_id", "date", "start_at", "appointment_id"])
    first = done.drop_duplicates("patient_id")[["patient_id", "provider_id", "date"]]
    nxt = done.merge(first, on="patient_id", suffixes=("", "_first"))
    gap = (nxt["date"] - nxt["date_first"]).dt.days
    back = set(nxt.loc[(gap > 0) & (gap <= 90), "patient_id"])
    first = first[first["date"] + pd.Timedelta(days=90) <= as_of]
    first = first.assign(returned=first["patient_id"].isin(back))
    # Rebooking: a later appointment booked on the visit's date at or after its start.
    pairs = done[["appointment_id", "patient_id", "start_at", "end_at", "date"]].merge(
        a[["patient_id", "start_at", "booked_at"]], on="patient_id", suffixes=("", "_j")
    )
    hit = (
        (pairs["start_at_j"] > pairs["end_at"])
        & (pairs["booked_at"].dt.normalize() == pairs["date"])
        & (pairs["booked_at"] >= pairs["start_at"])
    )
    rebooked = set(pairs.loc[hit, "appointment_id"])
    done = done.assign(rebooked=done["appointment_id"].isin(rebooked))

    for pid, planted in truth["providers"].items():
        real = truth["realized"]["providers"][pid]
        mine = tickets[tickets["provider_id"] == pid]["adj"] / 100
        assert len(mine) == real["tickets"], pid
        assert mine.sum() == pytest.approx(real["ticket_revenue"], abs=0.01), pid
        se = mine.std() / np.sqrt(len(mine))
        assert abs(mine.mean() - planted["avg_ticket"]) < 4 * se, pid

        cohort = first[first["provider_id"] == pid]
        assert len(cohort) == real["first_visits_mature_90d"], pid
        assert cohort["returned"].sum() == real["returned_90d"], pid
        p = planted["return_90d_p"]
        assert abs(cohort["returned"].mean() - p) < 4 * np.sqrt(p * (1 - p) / len(cohort)), pid

        visits = done[done["provider_id"] == pid]
        assert len(visits) == real["completed_visits"], pid
        assert visits["rebooked"].sum() == real["rebooked_visits"], pid
        p = planted["rebook_p"]
        assert abs(visits["rebooked"].mean() - p) < 4 * np.sqrt(p * (1 - p) / len(visits)), pid


def test_utilization_recomputed_from_files_matches_truth(demo: Path, data: dict, truth: dict):
    # METRICS.md section 5: booked minutes of completed, no_show and late_cancelled
    # appointments over shift minutes, each counted by its local start date.
    shifts = _read(demo / "provider_shifts.csv")
    assert shifts["shift_id"].str.match(r"^shift_\d{6}$").all()
    assert not shifts["shift_id"].duplicated().any()
    zone = shifts["location_id"].map(truth["timezones"])
    start, end = _local(shifts["start_at"], zone), _local(shifts["end_at"], zone)
    minutes = (end - start).dt.total_seconds() / 60
    assert ((minutes > 0) & (minutes <= 12 * 60) & (minutes % 30 == 0)).all()
    day = start.dt.normalize()
    assert (end.dt.normalize() == day).all()  # a shift stays inside its local day
    shift_minutes = minutes[day <= data["as_of"]].groupby(shifts["provider_id"]).sum()

    a = data["appts"]
    counted = a[a["status"].isin(["completed", "no_show", "late_cancelled"])]
    counted = counted[counted["date"] <= data["as_of"]]
    length = (counted["end_at"] - counted["start_at"]).dt.total_seconds() / 60
    booked_minutes = length.groupby(counted["provider_id"]).sum()

    near_target = 0
    for pid, planted in truth["providers"].items():
        real = truth["realized"]["providers"][pid]
        assert booked_minutes[pid] == real["booked_minutes"], pid
        assert shift_minutes[pid] == real["shift_minutes"], pid
        utilization = booked_minutes[pid] / shift_minutes[pid]
        assert utilization == pytest.approx(real["utilization"], abs=5e-5), pid
        assert 0.5 <= utilization <= 0.95, (pid, utilization)
        # staffed to the planted target: never above it, and mostly at it
        assert utilization <= planted["utilization_p"] + 0.01, pid
        near_target += abs(utilization - planted["utilization_p"]) < 0.05
    assert near_target >= 0.8 * len(truth["providers"])


def test_no_shows_recomputed_from_files_match_truth(data: dict, truth: dict):
    # METRICS.md section 5: no-shows over capacity appointments (completed, no_show,
    # late_cancelled, any service) dated on or before as_of
    a = data["appts"]
    capacity = a[a["status"].isin(["completed", "no_show", "late_cancelled"])]
    capacity = capacity[capacity["date"] <= data["as_of"]]
    no_shows = (
        capacity["status"].eq("no_show").groupby(capacity["provider_id"]).agg(["sum", "size"])
    )
    for pid, planted in truth["providers"].items():
        real = truth["realized"]["providers"][pid]
        assert no_shows.loc[pid, "size"] == real["capacity_appointments"], pid
        assert no_shows.loc[pid, "sum"] == real["no_shows"], pid
        # planned to the planted share over the whole history, up to rounding one visit
        rate = real["no_shows"] / real["capacity_appointments"]
        assert rate == pytest.approx(planted["no_show_p"], abs=1 / real["capacity_appointments"])
    # the planted shares differ, so the rate tells providers apart
    assert len({round(t["no_show_p"], 2) for t in truth["providers"].values()}) == len(
        truth["providers"]
    )


def test_consult_mix_matches_planted(data: dict, truth: dict):
    a = data["appts"]
    slots = a[a["consult"] & a["status"].isin(["completed", "no_show", "late_cancelled"])]
    slots = slots[slots["date"] <= data["as_of"]]
    for pid, planted in truth["providers"].items():
        mine = slots[slots["provider_id"] == pid]["category"]
        counts = mine.value_counts().to_dict()
        real = truth["realized"]["providers"][pid]["consult_slots_by_category"]
        assert {k: v for k, v in counts.items() if v} == {k: v for k, v in real.items() if v}
        for category, p in planted["consult_mix"].items():
            share = counts.get(category, 0) / len(mine)
            assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / len(mine)) + 0.01, (pid, category)


def _norm_phone(s: pd.Series) -> pd.Series:
    return s.str.replace(r"\D", "", regex=True).str[-10:]


def test_acquisition_leads_and_campaign_routing(demo: Path, data: dict, truth: dict):
    tz = truth["timezones"]
    patients = _read(demo / "patients.csv")
    leads = _read(demo / "leads.csv")
    leads = leads[leads["platform"].isin(PLATFORMS) & (leads["lead_id"] != "")].copy()
    first_loc = sorted(tz)[0]
    leads["created"] = _utc(
        _local(leads["created_at"], pd.Series(tz[first_loc], index=leads.index)),
        pd.Series(tz[first_loc], index=leads.index),
    )
    # Emails differ only by case and surrounding spaces; phones only by format.
    leads["email_n"] = leads["email"].str.strip().str.lower()
    patients["email_n"] = patients["email"].str.strip().str.lower()
    assert (leads["email"] != leads["email_n"]).sum() > 100
    assert leads["phone"].str.match(r"^\(\d{3}\) \d{3}-\d{4}$").any()
    assert leads["phone"].str.match(r"^\+1 \d{3} \d{3} \d{4}$").any()
    by_email = leads[leads["email_n"] != ""].merge(
        patients.loc[patients["email_n"] != "", ["patient_id", "email_n"]], on="email_n"
    )
    rest = leads[~leads["lead_id"].isin(by_email["lead_id"]) & (leads["phone"] != "")].copy()
    rest["phone_n"] = _norm_phone(rest["phone"])
    pat_phone = patients.loc[patients["phone"] != "", ["patient_id", "phone"]].copy()
    pat_phone["phone_n"] = _norm_phone(pat_phone["phone"])
    by_phone = rest.merge(pat_phone[["patient_id", "phone_n"]], on="phone_n")
    matched = pd.concat([by_email, by_phone])

    a = data["appts"]
    a = a.assign(booked_utc=_utc(a["booked_at"], a["location_id"].map(tz)))
    first_appt = a.sort_values(["start_at", "appointment_id"]).drop_duplicates("patient_id")
    matched = matched.merge(first_appt[["patient_id", "booked_utc"]], on="patient_id")
    before = matched[matched["created"] <= matched["booked_utc"]]
    acq = before.sort_values(["created", "lead_id"]).drop_duplicates("patient_id")
    late = matched[matched["created"] > matched["booked_utc"]]
    assert len(late) > 20  # leads after the first booking exist and are not acquisition

    slots = a[a["consult"] & a["status"].isin(["completed", "no_show", "late_cancelled"])]
    slots = slots[slots["date"] <= data["as_of"]]
    first_slot = slots.sort_values(["start_at", "appointment_id"]).drop_duplicates("patient_id")
    first_slot = first_slot.merge(acq[["patient_id", "platform", "campaign_id"]], on="patient_id")
    for key, entry in truth["realized"]["campaigns"].items():
        if entry["platform"] not in ("google_ads", "meta_ads"):
            continue
        mine = first_slot[first_slot["campaign_id"] == entry["campaign_id"]]
        assert mine["provider_id"].value_counts().to_dict() == entry["slots_by_provider"], key
        routing = truth["campaign_routing"][entry["campaign_id"]]
        for pid, p in routing.items():
            share = (mine["provider_id"] == pid).mean()
            assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / len(mine)) + 0.01, (key, pid)

    strongest = truth["strongest_provider"]
    favoured = truth["campaign_routing"][truth["favoured_campaign"]]
    disfavoured = truth["campaign_routing"][truth["disfavoured_campaign"]]
    assert max(favoured, key=favoured.get) == strongest
    weak = max(disfavoured, key=disfavoured.get)
    assert weak == truth["disfavoured_provider"]
    score = {p: v["conversion_p"] * v["avg_ticket"] for p, v in truth["providers"].items()}
    assert max(score, key=score.get) == strongest
    active = [p for p, v in truth["providers"].items() if v["active"]]
    assert weak == min(active, key=score.get)
