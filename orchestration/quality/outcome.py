"""What a check found, independent of Dagster: checks.py turns it into an
AssetCheckResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["WARN", "ERROR"]


@dataclass
class Outcome:
    passed: bool
    severity: Severity = "ERROR"  # how bad a failure is; ignored when passed
    description: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)  # numbers, text, lists, dicts
    details: str = ""  # a Markdown table shown with the result


def markdown_table(header: list[str], rows: list[tuple] | list[list]) -> str:
    """A small Markdown table; `|` inside a value is escaped."""

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
