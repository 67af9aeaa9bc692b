"""The demo clinic as constants: locations, providers with their planted truth,
the service catalog and the ad campaigns with their routing.

Everything here is fixed; only volumes and random draws depend on scale and seed.
Provider parameters are spread on grids and permuted so every metric has its own
recoverable order and the strongest provider (conversion x ticket) is not simply
the best at each metric.
"""

from __future__ import annotations

import numpy as np

from ingestion.values import SERVICE_CATEGORIES

CLINIC_ID = "clin_demo"
CURRENCY = "USD"
HISTORY_DAYS = 730  # two years of history ending at end_date
CONVERSION_WINDOW_DAYS = 30

LOCATION_IDS = ("loc_01", "loc_02", "loc_03")
LOCATION_NAMES = ("Cherry Creek", "Boulder", "Scottsdale")
TIMEZONES = ("America/Denver", "America/Denver", "America/Phoenix")

CATEGORIES = SERVICE_CATEGORIES
CONSULT_CATEGORIES = CATEGORIES[:5]  # the categories that have a consultation service

# Providers: index i is prov_{i+1:02d}.
PROVIDER_IDS = tuple(f"prov_{i:02d}" for i in range(1, 11))
PROVIDER_NAMES = (
    "Avery Lindqvist",
    "Jordan Okafor",
    "Maya Castellanos",
    "Ethan Brooks",
    "Priya Raman",
    "Caleb Whitford",
    "Sofia Marchetti",
    "Noah Tsosie",
    "Hannah Greer",
    "Lucas Ferreira",
)
PROVIDER_ROLES = (
    "Nurse Injector",
    "Aesthetician",
    "Nurse Practitioner",
    "Laser Technician",
    "Physician Assistant",
    "Aesthetician",
    "Nurse Injector",
    "Nurse Practitioner",
    "Nurse Injector",
    "Laser Technician",
)
PROVIDER_LOCATION = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
INACTIVE_PROVIDER = 9  # prov_10 left the clinic DEPARTURE_DAYS_BEFORE_END before end_date
DEPARTURE_DAYS_BEFORE_END = 270
# Who takes over prov_10's patients after the departure (same location).
SUBSTITUTES = np.array([7, 8])

# Planted truth, one entry per provider.
CONVERSION_P = np.array([0.60, 0.45, 0.70, 0.30, 0.55, 0.25, 0.65, 0.40, 0.50, 0.35])
AVG_TICKET = np.array([1010.0, 480, 740, 830, 920, 570, 390, 1100, 660, 300])
RETURN_90D_P = np.array([0.70, 0.40, 0.55, 0.35, 0.65, 0.30, 0.50, 0.60, 0.45, 0.75])
REBOOK_P = np.array([0.55, 0.30, 0.45, 0.20, 0.60, 0.15, 0.35, 0.50, 0.25, 0.40])
# Share of each provider's capacity appointments (completed, no_show, late_cancelled) that
# are no-shows; the visits are planned around it (visits.plant_no_shows).
NO_SHOW_P = np.array([0.09, 0.14, 0.07, 0.16, 0.11, 0.13, 0.08, 0.12, 0.10, 0.15])
# Consult category probabilities over CONSULT_CATEGORIES, one row per provider.
CONSULT_MIX = np.array(
    [
        [0.60, 0.15, 0.05, 0.15, 0.05],
        [0.10, 0.05, 0.15, 0.60, 0.10],
        [0.35, 0.15, 0.10, 0.10, 0.30],
        [0.05, 0.25, 0.55, 0.15, 0.00],
        [0.30, 0.30, 0.10, 0.10, 0.20],
        [0.10, 0.10, 0.20, 0.55, 0.05],
        [0.65, 0.05, 0.05, 0.20, 0.05],
        [0.25, 0.20, 0.10, 0.10, 0.35],
        [0.55, 0.10, 0.10, 0.20, 0.05],
        [0.05, 0.20, 0.60, 0.15, 0.00],
    ]
)

# Services: (service_id, name, category, is_consultation, duration minutes, consult fee).
SERVICES = (
    ("svc_01", "Injectables Consultation", "injectables", True, 30, 50.0),
    ("svc_02", "Neurotoxin (Botox)", "injectables", False, 30, 0.0),
    ("svc_03", "Dermal Filler", "injectables", False, 60, 0.0),
    ("svc_04", "Lip Filler", "injectables", False, 45, 0.0),
    ("svc_05", "Body Contouring Consultation", "body_contouring", True, 30, 100.0),
    ("svc_06", "CoolSculpting", "body_contouring", False, 90, 0.0),
    ("svc_07", "Emsculpt NEO", "body_contouring", False, 60, 0.0),
    ("svc_08", "Laser Consultation", "laser", True, 30, 75.0),
    ("svc_09", "Laser Hair Removal", "laser", False, 45, 0.0),
    ("svc_10", "IPL Photofacial", "laser", False, 60, 0.0),
    ("svc_11", "Skin Consultation", "skin", True, 30, 50.0),
    ("svc_12", "HydraFacial", "skin", False, 60, 0.0),
    ("svc_13", "Microneedling", "skin", False, 75, 0.0),
    ("svc_14", "Chemical Peel", "skin", False, 45, 0.0),
    ("svc_15", "Weight Loss Consultation", "weight_loss", True, 30, 100.0),
    ("svc_16", "Semaglutide Program", "weight_loss", False, 30, 0.0),
    ("svc_17", "IV Hydration Therapy", "wellness", False, 60, 0.0),
    ("svc_18", "Vitamin B12 Injection", "wellness", False, 15, 0.0),
    ("svc_19", "Medical-Grade Skincare", "retail", False, 0, 0.0),
    ("svc_20", "Mineral Sunscreen SPF 50", "retail", False, 0, 0.0),
    ("svc_21", "Glow Membership", "other", False, 0, 0.0),
)
SERVICE_IDS = tuple(s[0] for s in SERVICES)
SERVICE_DURATION = np.array([s[4] for s in SERVICES])
SERVICE_FEE_CENTS = np.array([round(s[5] * 100) for s in SERVICES], dtype=np.int64)
# Indexes into SERVICES.
CONSULT_SERVICE = np.array([0, 4, 7, 10, 14])  # per CONSULT_CATEGORIES
TREATMENTS = (  # treatment services per CONSULT_CATEGORIES, padded by repetition
    np.array([[1, 2, 3], [5, 6, 5], [8, 9, 8], [11, 12, 13], [15, 15, 15]])
)
WALKIN_SERVICES = np.array([1, 16, 17, 11])  # Botox, IV, B12, HydraFacial
NEUROTOXIN = 1
RETAIL_SERVICES = np.array([18, 19])
RETAIL_PRICES_CENTS = np.array([3800, 5400, 7200, 9600, 12800], dtype=np.int64)
MEMBERSHIP_SERVICE = 20
PRODUCT_TAX_RATE = 0.0825

# Campaigns: (campaign_id, platform, account_id, name, daily budget USD, first active
# day offset from the history start, routing over providers).
CAMPAIGNS = (
    (
        "g_101",
        "google_ads",
        "381-442-9051",
        "Search - Botox and Fillers",
        600.0,
        0,
        {
            "prov_01": 0.15,
            "prov_02": 0.10,
            "prov_03": 0.20,
            "prov_04": 0.05,
            "prov_05": 0.15,
            "prov_06": 0.10,
            "prov_07": 0.25,
        },
    ),
    (
        "g_102",
        "google_ads",
        "381-442-9051",
        "Search - Body Contouring",
        450.0,
        0,
        {"prov_01": 0.65, "prov_03": 0.10, "prov_04": 0.10, "prov_05": 0.15},
    ),
    (
        "g_103",
        "google_ads",
        "381-442-9051",
        "Search - Scottsdale Med Spa",
        300.0,
        180,
        {"prov_08": 0.50, "prov_09": 0.50},
    ),
    (
        "m_201",
        "meta_ads",
        "act_20419876",
        "Lip Filler Promo",
        400.0,
        0,
        {"prov_01": 0.10, "prov_03": 0.10, "prov_05": 0.10, "prov_07": 0.40, "prov_09": 0.30},
    ),
    (
        "m_202",
        "meta_ads",
        "act_20419876",
        "Laser Hair Removal Spring",
        350.0,
        120,
        {"prov_02": 0.10, "prov_04": 0.15, "prov_06": 0.65, "prov_08": 0.10},
    ),
)
FAVOURED_CAMPAIGN = "g_102"  # routes to the strongest provider
DISFAVOURED_CAMPAIGN = "m_202"  # routes to a weak provider (prov_06)

# Acquisition channels: the campaigns, then organic, referral and none (no lead).
CHANNELS = tuple(c[0] for c in CAMPAIGNS) + ("organic", "referral", "none")
CHANNEL_SHARE = np.array([0.16, 0.12, 0.08, 0.11, 0.08, 0.20, 0.10, 0.15])
N_CAMPAIGNS = len(CAMPAIGNS)
WALKIN_SHARE_OF_NONE = 0.6  # patients without a lead whose first visit is a treatment


def routing_matrix() -> np.ndarray:
    """Campaign x provider routing probabilities (rows sum to 1)."""
    out = np.zeros((N_CAMPAIGNS, len(PROVIDER_IDS)))
    for i, campaign in enumerate(CAMPAIGNS):
        for provider, p in campaign[6].items():
            out[i, PROVIDER_IDS.index(provider)] = p
    return out


def strongest_provider() -> int:
    return int(np.argmax(CONVERSION_P * AVG_TICKET))


def location_providers() -> tuple[np.ndarray, np.ndarray]:
    """Lookup table location -> providers (padded) and the count per location."""
    counts = np.bincount(PROVIDER_LOCATION, minlength=len(LOCATION_IDS))
    table = np.zeros((len(LOCATION_IDS), counts.max()), dtype=np.int64)
    for loc in range(len(LOCATION_IDS)):
        members = np.flatnonzero(loc == PROVIDER_LOCATION)
        table[loc, : len(members)] = members
    return table, counts
