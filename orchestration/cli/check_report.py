"""The asset checks of a run, as the CLI prints them after the load summary."""

from __future__ import annotations

from collections.abc import Sequence

from dagster import AssetCheckEvaluation, AssetCheckSeverity


def format_check_results(evaluations: Sequence[AssetCheckEvaluation]) -> str:
    """One count line, then a line per check that did not pass (failed ERROR checks
    first), so a warning is seen without opening the UI."""
    failed = [e for e in evaluations if not e.passed]
    errors = [e for e in failed if e.severity == AssetCheckSeverity.ERROR]
    warnings = [e for e in failed if e.severity != AssetCheckSeverity.ERROR]
    lines = [
        f"checks: {len(evaluations) - len(failed)} passed, {len(warnings)} warning(s),"
        f" {len(errors)} failed"
    ]
    for label, group in (("FAILED", errors), ("WARN", warnings)):
        for e in sorted(group, key=lambda e: (e.asset_key.to_user_string(), e.check_name)):
            detail = f": {e.description}" if e.description else ""
            lines.append(f"  {label:<6} {e.asset_key.to_user_string()} · {e.check_name}{detail}")
    return "\n".join(lines)
