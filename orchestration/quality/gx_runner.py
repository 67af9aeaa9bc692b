"""Run expectation suites with Great Expectations (GX Core 1.x) over DataFrames: one
ephemeral context and pandas datasource per step, one batch of each whole frame, progress
bars and GX's logging quiet. GX's SQL datasource does not work on DuckDB (STACK_NOTES.md),
so the frame comes from a read-only DuckDB query (gx_suites.read_frame)."""

from __future__ import annotations

import logging
import math
from typing import Any

import pandas as pd

from .gx_suites import Rule
from .outcome import Outcome, markdown_table

_EXAMPLES = 5  # failing values shown per expectation


class SuiteRunner:
    """One ephemeral GX context and pandas datasource, shared by the suites of a step:
    making a context costs more than validating a small table. Each suite still gets its
    own asset, batch, expectation suite and validation definition."""

    def __init__(self) -> None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )
        from great_expectations.execution_engine import pandas_execution_engine

        # GX fingerprints each pandas batch, hashing every value of a frame under 1 GB, for
        # a batch marker nothing here reads: a quarter of the suites' time, measured.
        # tests/quality/test_gx_suites.py fails if an upgrade renames the threshold.
        pandas_execution_engine.HASH_THRESHOLD = 0

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
        self._gx = gx
        self._context = gx.get_context(mode="ephemeral", project_config=config)  # no docs site
        self._context.enable_analytics(False)
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._source = self._context.data_sources.add_pandas("warehouse")

    def run(self, name: str, frame: pd.DataFrame, rules: list[Rule], note: str = "") -> Outcome:
        """Validate `frame` against `rules`; a failed ERROR rule fails the check with
        severity ERROR, a failed WARN rule (and no ERROR) with severity WARN."""
        gx, context = self._gx, self._context
        batch = self._source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole")
        suite = gx.ExpectationSuite(name=name)
        for rule in rules:
            expectation_class = getattr(gx.expectations, rule.expectation)
            suite.add_expectation(
                expectation_class(**rule.kwargs, meta={"severity": rule.severity, "why": rule.why})
            )
        suite = context.suites.add(suite)
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=suite)
        )
        result = validation.run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": _EXAMPLES},
        )
        return _outcome(result, len(frame), note)


def run_suite(name: str, frame: pd.DataFrame, rules: list[Rule], note: str = "") -> Outcome:
    """One suite on its own context (SuiteRunner.run)."""
    return SuiteRunner().run(name, frame, rules, note)


def _outcome(result: Any, rows: int, note: str) -> Outcome:
    failed = []
    for r in result.results:
        if r.success:
            continue
        config = r.expectation_config
        kwargs = config.kwargs
        failed.append(
            {
                "expectation": config.type,
                "column": kwargs.get("column")
                or ", ".join(
                    str(c)
                    for c in (
                        kwargs.get("column_list")
                        or [kwargs.get("column_A"), kwargs.get("column_B")]
                    )
                    if c
                ),
                "severity": config.meta.get("severity", "ERROR"),
                "why": config.meta.get("why", ""),
                "unexpected_count": r.result.get("unexpected_count"),
                "unexpected_percent": _round(r.result.get("unexpected_percent")),
                "examples": [_plain(v) for v in (r.result.get("partial_unexpected_list") or [])],
                "error": (r.exception_info or {}).get("exception_message")
                if (r.exception_info or {}).get("raised_exception")
                else None,
            }
        )
    stats = result.statistics
    severity = "ERROR" if any(f["severity"] == "ERROR" for f in failed) else "WARN"
    evaluated = stats["evaluated_expectations"]
    description = (
        f"{evaluated - len(failed)} of {evaluated} expectations met on {rows:,} rows{note}"
    )
    details = ""
    if failed:
        details = markdown_table(
            ["severity", "expectation", "column", "failing rows", "examples", "why"],
            [
                (
                    f["severity"],
                    f["expectation"],
                    f["column"],
                    f["unexpected_count"] if f["error"] is None else f"error: {f['error']}",
                    ", ".join(map(str, f["examples"])),
                    f["why"],
                )
                for f in failed
            ],
        )
    return Outcome(
        passed=not failed,
        severity=severity,
        description=description,
        metadata={
            "rows_validated": rows,
            "expectations": evaluated,
            "expectations_failed": len(failed),
            "failures": failed,
        },
        details=details,
    )


def _round(value: Any) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 3)


def _plain(value: Any) -> Any:
    """A failing value as JSON-friendly text or number."""
    if isinstance(value, tuple | list):
        return " / ".join(str(_plain(v)) for v in value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)
