"""Patients and leads: who arrives through which channel, to which provider, and
the contact details that let leads be matched to patients (with the variations
real exports have: case, spaces, phone formats)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import catalog as cat
from . import writer as w
from .timeutil import MIN_PER_DAY, format_timestamps, from_utc, to_utc

PATIENTS_PER_SCALE = 27_000

# fmt: off
FIRST = (
    "olivia", "emma", "ava", "sophia", "isabella", "mia", "amelia", "harper", "evelyn",
    "abigail", "emily", "ella", "elizabeth", "camila", "luna", "sofia", "avery", "mila", "aria",
    "scarlett", "penelope", "layla", "chloe", "victoria", "madison", "eleanor", "grace", "nora",
    "riley", "zoey", "hannah", "hazel", "lily", "ellie", "violet", "liam", "noah", "oliver",
    "james", "lucas", "mason", "ethan", "logan",
)
LAST = (
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor",
    "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez",
    "clark", "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright",
    "scott", "torres", "nguyen", "hill", "flores",
)
# fmt: on
DOMAINS = ("example.com", "example.org", "example.net")
REFERRAL_SOURCES = (
    "Google",
    "Instagram",
    "Facebook",
    "Friend or family",
    "Walk-in",
    "Google search",
)


@dataclass
class Patients:
    n: int
    channel: np.ndarray  # index into catalog.CHANNELS
    acq_day: np.ndarray  # local day number the patient first booked
    first_provider: np.ndarray
    loc: np.ndarray
    walkin: np.ndarray  # first visit is a treatment, no consult
    has_email: np.ndarray
    has_phone: np.ndarray


def draw_patients(rng: np.random.Generator, scale: float, start_day: int, end_day: int):
    n = max(int(round(PATIENTS_PER_SCALE * scale)), 50)
    channel = rng.choice(len(cat.CHANNELS), size=n, p=cat.CHANNEL_SHARE)
    first_active = np.zeros(len(cat.CHANNELS), dtype=np.int64)
    first_active[: cat.N_CAMPAIGNS] = [c[5] for c in cat.CAMPAIGNS]
    lo = start_day + first_active[channel]
    acq_day = lo + (rng.random(n) * (end_day + 1 - lo)).astype(np.int64)

    departure = end_day - cat.DEPARTURE_DAYS_BEFORE_END
    routing = cat.routing_matrix()
    provider = np.empty(n, dtype=np.int64)
    paid = channel < cat.N_CAMPAIGNS
    provider[paid] = pick(rng, routing[channel[paid]])
    # Unpaid patients spread over all providers; prov_10 only while still there.
    everyone = np.ones(len(cat.PROVIDER_IDS))
    without = everyone.copy()
    without[cat.INACTIVE_PROVIDER] = 0
    late = acq_day > departure - 60
    weights = np.where(late[:, None], without, everyone)
    provider[~paid] = pick(rng, weights[~paid])

    walkin = (channel == cat.CHANNELS.index("none")) & (rng.random(n) < cat.WALKIN_SHARE_OF_NONE)
    has_email = rng.random(n) < 0.9
    has_phone = (rng.random(n) < 0.94) | ~has_email
    return Patients(
        n=n,
        channel=channel,
        acq_day=acq_day,
        first_provider=provider,
        loc=cat.PROVIDER_LOCATION[provider],
        walkin=walkin,
        has_email=has_email,
        has_phone=has_phone,
    )


def pick(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a weight matrix."""
    cdf = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), weights.shape[1] - 1)


# ---- contact details -------------------------------------------------------------


def _area_codes() -> np.ndarray:
    """Local area codes first, then every other valid-looking NANP code."""
    local = [303, 720, 480, 602, 970, 719, 623, 520, 928]
    rest = [
        a
        for a in range(201, 990)
        if a not in local and (a // 10) % 10 != 9 and a % 100 != 11 and a // 100 >= 2
    ]
    return np.array(local + rest)


AREA_CODES = _area_codes()


def phone_digits(person: np.ndarray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Unique fictional numbers (exchange 555) per person id: area, exchange, line."""
    area = AREA_CODES[(person // 10_000) % len(AREA_CODES)]
    line = person % 10_000
    area_s = pa.array(area).cast(pa.string())
    line_s = pc.utf8_lpad(pa.array(line).cast(pa.string()), 4, "0")
    return area_s, pa.array(np.full(len(person), "555")), line_s


def format_phone(person: np.ndarray, style: np.ndarray, valid: np.ndarray) -> pa.Array:
    """The same number in the formats exports use: (303) 555-0142, 303.555.0142,
    +1 303 555 0142, 3035550142, 303-555-0142."""
    a, e, ln = phone_digits(person)
    j = pc.binary_join_element_wise
    forms = [
        j(pa.scalar("("), a, pa.scalar(") "), e, pa.scalar("-"), ln, ""),
        j(a, e, ln, "."),
        j(pa.scalar("+1"), a, e, ln, " "),
        j(a, e, ln, ""),
        j(a, e, ln, "-"),
    ]
    out = forms[-1]
    for code in range(len(forms) - 2, -1, -1):
        out = pc.if_else(pa.array(style == code), forms[code], out)
    return pc.if_else(pa.array(valid), out, pa.scalar(None, pa.string()))


def format_email(person: np.ndarray, variant: np.ndarray, valid: np.ndarray) -> pa.Array:
    """first.last<id>@domain. variant 0 is canonical lower case; 1 title case, 2 upper
    case, 3 canonical with surrounding spaces, 4 title case with spaces: all the
    same address once trimmed and lower-cased."""
    first = np.asarray(FIRST)[(person * 7) % len(FIRST)]
    last = np.asarray(LAST)[(person * 13 // 7) % len(LAST)]
    dom = np.asarray(DOMAINS)[person % len(DOMAINS)]
    base = pc.binary_join_element_wise(
        pa.array(first),
        pa.scalar("."),
        pa.array(last),
        pa.array(person).cast(pa.string()),
        pa.scalar("@"),
        pa.array(dom),
        "",
    )
    v = pa.array(variant)
    title = pc.utf8_title(base)
    out = pc.if_else(pc.equal(v, 1), title, base)
    out = pc.if_else(pc.equal(v, 2), pc.utf8_upper(base), out)
    out = pc.if_else(pc.equal(v, 3), pc.binary_join_element_wise("  ", base, " ", ""), out)
    out = pc.if_else(pc.equal(v, 4), pc.binary_join_element_wise(" ", title, "  ", ""), out)
    return pc.if_else(pa.array(valid), out, pa.scalar(None, pa.string()))


# ---- tables ----------------------------------------------------------------------


def patient_table(rng, pats: Patients, created_min: np.ndarray, forms: np.ndarray):
    person = np.arange(pats.n)
    source = np.full(pats.n, -1)
    ch = pats.channel
    google = np.isin(ch, [i for i, c in enumerate(cat.CAMPAIGNS) if c[1] == "google_ads"])
    meta = np.isin(ch, [i for i, c in enumerate(cat.CAMPAIGNS) if c[1] == "meta_ads"])
    organic = ch == cat.CHANNELS.index("organic")
    source[google] = 0
    source[meta] = rng.choice([1, 2], size=meta.sum())
    source[ch == cat.CHANNELS.index("referral")] = 3
    source[pats.walkin] = 4
    source[organic] = rng.choice([1, 5, -1], size=organic.sum())
    source[rng.random(pats.n) < 0.1] = -1  # front desks often leave it empty
    return {
        "patient_id": w.ids("pat_", person + 1, 6),
        "location_id": w.labels(pats.loc, cat.LOCATION_IDS),
        "created_at": format_timestamps(created_min, pats.loc, forms, cat.TIMEZONES),
        "email": format_email(person, np.zeros(pats.n, dtype=np.int64), pats.has_email),
        "phone": format_phone(person, rng.integers(0, 5, pats.n), pats.has_phone),
        "referral_source": w.labels(source, REFERRAL_SOURCES),
    }


@dataclass
class Leads:
    """Internal lead rows before formatting (Denver local minutes)."""

    created: np.ndarray  # local minutes at loc_01, the clinic's lead location
    channel: np.ndarray
    person: np.ndarray  # patient index, or an id past the patients for non-patients
    email_variant: np.ndarray
    has_email: np.ndarray
    phone_style: np.ndarray
    has_phone: np.ndarray
    kind: np.ndarray  # 0 acquisition, 1 repeat before booking, 2 after booking, 3 no match


LEAD_KINDS = ("acquisition", "repeat_before_booking", "after_first_booking", "unmatched")


def draw_leads(rng, pats: Patients, first_booked: np.ndarray, start_day: int, end_day: int):
    """first_booked: local minutes (patient's location) of each patient's first booking."""
    denver = np.zeros(pats.n, dtype=np.int64)
    booked_utc = to_utc(first_booked, pats.loc, cat.TIMEZONES)
    booked_den = from_utc(booked_utc, denver, cat.TIMEZONES)
    with_lead = pats.channel < cat.CHANNELS.index("none")
    idx = np.flatnonzero(with_lead)

    # Acquisition lead: 10 minutes to 5 days before the first booking.
    acq_created = booked_den[idx] - 10 - (rng.random(len(idx)) ** 2 * 5 * MIN_PER_DAY).astype(int)
    acq_created = _not_at_night(acq_created)
    parts = [_contact(rng, pats, idx, acq_created, pats.channel[idx], 0)]

    # A second form fill from the same channel, still before the booking.
    rep = idx[rng.random(len(idx)) < 0.03]
    pos = np.searchsorted(idx, rep)
    rep_created = acq_created[pos] + ((booked_den[rep] - 5 - acq_created[pos]) * 0.5).astype(int)
    rep_created = _not_at_night(rep_created)
    parts.append(_contact(rng, pats, rep, rep_created, pats.channel[rep], 1))

    # Retargeting leads created after the first booking: never the acquisition lead.
    late = np.flatnonzero(rng.random(pats.n) < 0.03)
    late_created = booked_den[late] + ((1 + rng.random(len(late)) * 60) * MIN_PER_DAY).astype(int)
    late_created = _not_at_night(late_created)
    keep = late_created // MIN_PER_DAY <= end_day
    late, late_created = late[keep], late_created[keep]
    g101, m201 = cat.CHANNELS.index("g_101"), cat.CHANNELS.index("m_201")
    late_channel = np.where(pats.channel[late] == g101, m201, g101)
    parts.append(_contact(rng, pats, late, late_created, late_channel, 2))

    # Leads that never became patients: ids past the patients so nothing matches.
    n_acq = np.bincount(pats.channel[idx], minlength=len(cat.CHANNELS))
    ratio = np.r_[np.full(cat.N_CAMPAIGNS, 1.3), 0.4, 0.4, 0.0]
    n_un = (n_acq * ratio).round().astype(int)
    un_channel = np.repeat(np.arange(len(cat.CHANNELS)), n_un)
    first_active = np.array([c[5] for c in cat.CAMPAIGNS] + [0, 0, 0])
    lo = start_day + first_active[un_channel]
    un_day = lo + (rng.random(len(un_channel)) * (end_day + 1 - lo)).astype(int)
    un_created = un_day * MIN_PER_DAY + rng.integers(7 * 60, 22 * 60, len(un_day))
    person = pats.n + np.arange(len(un_channel))
    has_email = rng.random(len(person)) < 0.8
    has_phone = (rng.random(len(person)) < 0.7) | ~has_email
    parts.append(
        Leads(
            created=un_created,
            channel=un_channel,
            person=person,
            email_variant=rng.integers(0, 5, len(person)),
            has_email=has_email,
            phone_style=rng.integers(0, 5, len(person)),
            has_phone=has_phone,
            kind=np.full(len(person), 3),
        )
    )
    leads = Leads(*(np.concatenate([getattr(p, f) for p in parts]) for f in Leads.__annotations__))
    order = np.lexsort((leads.person, leads.created))
    return Leads(*(getattr(leads, f)[order] for f in Leads.__annotations__))


def _not_at_night(t: np.ndarray) -> np.ndarray:
    """Move 00:00-06:00 back to the previous evening (earlier, so still before the
    booking) and away from DST changes."""
    tod = t % MIN_PER_DAY
    return np.where(tod < 360, t - tod - 150, t)


def _contact(rng, pats: Patients, who, created, channel, kind) -> Leads:
    """A matched lead copies the patient's email (in a case/space variant) and maybe
    phone; a patient without email is matched by phone alone."""
    n = len(who)
    has_email = pats.has_email[who]
    variant = rng.choice(5, size=n, p=[0.4, 0.2, 0.1, 0.15, 0.15])
    has_phone = pats.has_phone[who] & ((rng.random(n) < 0.6) | ~has_email)
    return Leads(
        created=created,
        channel=channel,
        person=who,
        email_variant=variant,
        has_email=has_email,
        phone_style=rng.integers(0, 5, n),
        has_phone=has_phone,
        kind=np.full(n, kind),
    )


def lead_table(rng, leads: Leads, forms: np.ndarray):
    n = len(leads.created)
    ch = leads.channel
    platform_of = [c[1] for c in cat.CAMPAIGNS] + ["organic", "referral", "other"]
    platforms = ("google_ads", "meta_ads", "organic", "referral")
    platform = np.array([platforms.index(p) for p in platform_of[:-1]] + [-1])[ch]
    paid = ch < cat.N_CAMPAIGNS
    google = platform == 0
    meta = platform == 1
    organic = platform == 2
    slug = [c[3].lower().replace(" - ", "_").replace(" ", "_") for c in cat.CAMPAIGNS]
    utm_source = np.full(n, -1)
    utm_source[google] = 0
    utm_source[meta] = 1
    utm_source[organic & (rng.random(n) < 0.5)] = 2
    utm_medium = np.where(google, 0, np.where(meta, 1, np.where(utm_source == 2, 2, -1)))
    tagged = paid & (rng.random(n) < 0.85)  # some paid leads lost their click ids
    token = rng.integers(0, 2**62, n)
    token_s = pa.array(token).cast(pa.string())
    return {
        "lead_id": w.ids("lead_", np.arange(1, n + 1), 6),
        "clinic_id": w.text([cat.CLINIC_ID] * n),
        "created_at": format_timestamps(
            leads.created, np.zeros(n, dtype=np.int64), forms, cat.TIMEZONES
        ),
        "email": format_email(leads.person, leads.email_variant, leads.has_email),
        "phone": format_phone(leads.person, leads.phone_style, leads.has_phone),
        "platform": w.labels(platform, platforms),
        "campaign_id": w.labels(np.where(paid, ch, -1), [c[0] for c in cat.CAMPAIGNS]),
        "utm_source": w.labels(utm_source, ("google", "facebook", "instagram")),
        "utm_medium": w.labels(utm_medium, ("cpc", "paid_social", "social")),
        "utm_campaign": w.labels(np.where(paid & tagged, ch, -1), slug),
        "gclid": _click_id("Cj0KCQjw", token_s, google & tagged),
        "fbclid": _click_id("IwAR", token_s, meta & tagged),
    }


def _click_id(prefix: str, token: pa.Array, valid: np.ndarray) -> pa.Array:
    out = pc.binary_join_element_wise(pa.scalar(prefix), token, "")
    return pc.if_else(pa.array(valid), out, pa.scalar(None, pa.string()))
