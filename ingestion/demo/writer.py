"""Turn generated arrays into CSV text columns and write them fast.

Every column becomes an Arrow string array (null = empty field); the writer quotes
only the values that need it (RFC 4180), so numbers stay bare and files diff well.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .timeutil import decode

_BATCH = 250_000
# Quote delimiters, quotes, line breaks, and surrounding spaces (some readers trim them).
_NEEDS_QUOTES = '[",\\n\\r]|^\\s|\\s$'


def ids(prefix: str, nums: np.ndarray, width: int, valid: np.ndarray | None = None) -> pa.Array:
    """prefix + zero-padded number, e.g. ids("pat_", [7], 6) -> "pat_000007"."""
    digits = pc.utf8_lpad(pa.array(np.asarray(nums, dtype=np.int64)).cast(pa.string()), width, "0")
    out = pc.binary_join_element_wise(pa.scalar(prefix), digits, "")
    return _mask(out, valid)


def money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Integer cents -> plain decimal with two places ("-12.50")."""
    cents = np.asarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign-extend into the high word of the int128
    dec = pa.Array.from_buffers(pa.decimal128(20, 2), len(cents), [None, pa.py_buffer(words)])
    return _mask(dec.cast(pa.string()), valid)


def integers(x: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return _mask(pa.array(np.asarray(x, dtype=np.int64)).cast(pa.string()), valid)


def bools(x: np.ndarray) -> pa.Array:
    return decode(np.asarray(x, dtype=np.int64), ["false", "true"])


def labels(codes: np.ndarray, values) -> pa.Array:
    """Codes into a tuple of strings (code -1 -> null)."""
    return decode(np.asarray(codes, dtype=np.int64), list(values))


def text(values) -> pa.Array:
    return pa.array(values, type=pa.string())


def _mask(arr: pa.Array, valid: np.ndarray | None) -> pa.Array:
    if valid is None:
        return arr
    return pc.if_else(pa.array(np.asarray(valid, dtype=bool)), arr, pa.scalar(None, pa.string()))


def insert_rows(table: dict[str, pa.Array], rows: list[dict], positions: list[int]):
    """Insert literal string rows (missing columns empty) at the given positions."""
    n = len(next(iter(table.values())))
    order = np.argsort(positions, kind="stable")
    out = {}
    for name, col in table.items():
        pieces, start = [], 0
        for i in order:
            pos = min(max(positions[i], 0), n)
            pieces.append(col.slice(start, pos - start))
            pieces.append(pa.array([rows[i].get(name)], type=pa.string()))
            start = pos
        pieces.append(col.slice(start))
        out[name] = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    return out


def write_csv(path: Path, table: dict[str, pa.Array]) -> int:
    """Write columns (all the same length) as UTF-8 CSV with a header; returns rows."""
    names = list(table)
    n = len(table[names[0]])
    if any(len(c) != n for c in table.values()):
        raise ValueError(f"{path.name}: columns differ in length")
    with open(path, "wb") as fh:
        fh.write((",".join(names) + "\n").encode())
        for start in range(0, n, _BATCH):
            cols = [_quoted(table[c].slice(start, _BATCH)) for c in names]
            lines = pc.binary_join_element_wise(*cols, _large(","), null_handling="replace")
            lines = pc.binary_join_element_wise(lines, _large("\n"), _large(""))
            fh.write(_data(lines))
    return n


def _quoted(col: pa.Array) -> pa.Array:
    col = col.cast(pa.large_string())
    needs = pc.fill_null(pc.match_substring_regex(col, _NEEDS_QUOTES), False)
    if not pc.any(needs).as_py():
        return col
    quote = pa.scalar('"', pa.large_string())
    escaped = pc.binary_join_element_wise(
        quote, pc.replace_substring(col, '"', '""'), quote, pa.scalar("", pa.large_string())
    )
    return pc.if_else(needs, escaped, col)


def _data(lines: pa.Array) -> memoryview:
    """The concatenated bytes of a large_string array without copying per row."""
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    offsets = offsets[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def _large(s: str) -> pa.Scalar:
    return pa.scalar(s, pa.large_string())
