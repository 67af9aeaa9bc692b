"""Time helpers. Internally every timestamp is an int64 count of minutes of *local
wall time* at some location (minutes since 1970-01-01 00:00 local), so day
arithmetic is plain integer division. The generator keeps all generated times
between 07:00 and 23:00, away from the 01:00-03:00 DST transitions, so every local
time exists exactly once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MIN_PER_DAY = 1440
DAY_START = 7 * 60  # earliest minute of day for generated bookings and edits
DAY_END = 21 * 60  # latest

# Timestamp forms written to the CSVs.
FORM_Z, FORM_OFFSET, FORM_NAIVE = 0, 1, 2


def _by_tz(tz_idx: np.ndarray, tz_names: tuple[str, ...]):
    for i, tz in enumerate(tz_names):
        sel = np.flatnonzero(tz_idx == i)
        if len(sel):
            yield sel, tz


def to_utc(local_min: np.ndarray, tz_idx: np.ndarray, tz_names: tuple[str, ...]) -> np.ndarray:
    """Local wall minutes at each row's zone -> UTC minutes since the epoch."""
    out = np.empty(len(local_min), dtype=np.int64)
    for sel, tz in _by_tz(tz_idx, tz_names):
        wall = pd.DatetimeIndex(local_min[sel].astype("datetime64[m]").astype("datetime64[ns]"))
        aware = wall.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        out[sel] = aware.asi8 // 60_000_000_000
    return out


def from_utc(utc_min: np.ndarray, tz_idx: np.ndarray, tz_names: tuple[str, ...]) -> np.ndarray:
    """UTC minutes -> local wall minutes at each row's zone."""
    out = np.empty(len(utc_min), dtype=np.int64)
    for sel, tz in _by_tz(tz_idx, tz_names):
        instants = pd.DatetimeIndex(utc_min[sel].astype("datetime64[m]").astype("datetime64[ns]"))
        wall = instants.tz_localize("UTC").tz_convert(tz).tz_localize(None)
        out[sel] = wall.asi8 // 60_000_000_000
    return out


def daytime_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray, power=1.0):
    """A random minute in [lo, hi], moved into working hours when it falls at night.

    lo and hi are themselves daytime, so clipping back into [lo, hi] keeps the result
    in the day. power > 1 skews towards lo (people book soon after a visit)."""
    span = np.maximum(hi - lo, 0)
    t = lo + (span * rng.random(len(lo)) ** power).astype(np.int64)
    day, minute = np.divmod(t, MIN_PER_DAY)
    minute = np.clip(minute, DAY_START, DAY_END)
    return np.clip(day * MIN_PER_DAY + minute, lo, np.maximum(lo, hi))


def format_timestamps(
    local_min: np.ndarray,
    tz_idx: np.ndarray,
    forms: np.ndarray,
    tz_names: tuple[str, ...],
    valid: np.ndarray | None = None,
) -> pa.Array:
    """ISO 8601 strings in three forms: UTC with Z, local with offset, naive local.

    All three describe the same instant; naive means local wall time at the row's
    location. Rows where valid is False become null."""
    utc = to_utc(local_min, tz_idx, tz_names)
    offset = local_min - utc  # minutes east of UTC, e.g. -360 for MDT
    shown = np.where(forms == FORM_Z, utc, local_min) * 60
    # Arrow's timestamp -> string cast is "YYYY-MM-DD HH:MM:SS"; much faster than strftime.
    text = pc.replace_substring(pa.array(shown, type=pa.timestamp("s")).cast(pa.string()), " ", "T")
    values, codes = np.unique(offset, return_inverse=True)
    suffix_labels = ["Z", ""] + [_offset_label(m) for m in values]
    suffix_code = np.where(forms == FORM_Z, 0, np.where(forms == FORM_NAIVE, 1, 2 + codes))
    out = pc.binary_join_element_wise(text, decode(suffix_code, suffix_labels), "")
    if valid is not None:
        out = pc.if_else(pa.array(valid), out, pa.scalar(None, pa.string()))
    return out


def _offset_label(minutes: int) -> str:
    hh, mm = divmod(abs(int(minutes)), 60)
    return f"{'-' if minutes < 0 else '+'}{hh:02d}:{mm:02d}"


def decode(codes: np.ndarray, values, label=str) -> pa.Array:
    """Codes into a small set of values -> string array (code -1 -> null)."""
    labels = pa.array([label(v) for v in values], type=pa.string())
    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(idx, labels).cast(pa.string())


def format_dates(days: np.ndarray) -> pa.Array:
    """Day numbers since the epoch -> YYYY-MM-DD."""
    return pc.strftime(pa.array(days.astype(np.int32), type=pa.date32()), format="%Y-%m-%d")
