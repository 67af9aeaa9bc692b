"""Data-quality logic behind the Dagster asset checks (orchestration/defs/checks.py).

Each module computes one kind of check against the warehouse, read-only, and returns
an Outcome; none imports Dagster, so each runs (and is tested) on its own:
gx_suites + gx_runner (Great Expectations suites on raw and staging), quarantine,
accounting (row accounting), freshness, privacy (the reconciliations are dbt tests).
"""
