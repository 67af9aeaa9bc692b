"""METRICS.md section 1 read as data, so tests check code against the contract's text
rather than against another copy of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

METRICS_MD = Path(__file__).resolve().parents[1] / "dbt_project" / "METRICS.md"


@dataclass(frozen=True)
class ContractEntity:
    key: tuple[str, ...]
    columns: tuple[str, ...]  # the key first, then the listed columns, in order
    optional: frozenset[str]


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses: `timezone (IANA, e.g. ...)` is one item."""
    items, depth, current = [], 0, ""
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += ch
    return [*items, current.strip()]


@cache
def contract_entities() -> dict[str, ContractEntity]:
    section = METRICS_MD.read_text(encoding="utf-8").split("## 1.", 1)[1].split("\n## ", 1)[0]
    entities = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("entity", "---") or not line.startswith("|"):
            continue
        name, key_text, columns_text = cells
        key = tuple(k.strip() for k in key_text.strip("()").split(","))
        items = _split_top_level(columns_text)
        listed = [item.split()[0] for item in items]
        optional = {item.split()[0] for item in items if "(opt)" in item}
        # a key column listed among the columns keeps its listed place (ad_spend's clinic_id)
        columns = (*(k for k in key if k not in listed), *listed)
        entities[name] = ContractEntity(key, columns, frozenset(optional))
    return entities


@cache
def contract_value_sets() -> dict[str, frozenset[str]]:
    """`entity.column` -> its allowed values, from the "Value sets" list."""
    sets = {}
    for match in re.finditer(
        r"^- ((?:`[\w.]+`(?: and )?)+): ([\w, ]+)\.$", METRICS_MD.read_text(), re.M
    ):
        values = frozenset(v.strip() for v in match.group(2).split(","))
        for column in re.findall(r"`([\w.]+)`", match.group(1)):
            sets[column] = values
    return sets
