"""`provider-view status`: the last run of a warehouse, read from its Dagster instance and
from the published file, without writing anything (no run, no instance set up, no lock)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration import settings

_TAGS = ("warehouse", "sources", "inputs", "as_of")

_AS_OF_QUERY = """
select clinic_id, max(period_end)
from marts.provider_performance
where period_type = 'trailing_90d'
group by clinic_id
order by clinic_id
"""


def _last_run(home: Path) -> list[str]:
    """When, how and with what the instance's last run ran, and its checks."""
    if not (home / "history").exists():
        return [f"no run recorded in {home}"]
    from dagster import DagsterEventType, DagsterInstance

    from orchestration.cli.check_report import format_check_results

    with DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records(limit=1)
        if not records:
            return [f"no run recorded in {home}"]
        record = records[0]
        run = record.dagster_run
        started = record.start_time or record.create_timestamp.timestamp()
        ended = record.end_time
        when = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M UTC")
        took = f", {ended - started:.0f}s" if ended else ""
        lines = [f"last run: {run.run_id} {run.status.value} at {when}{took}"]
        lines += [
            f"  {tag}: {run.tags[f'provider_view/{tag}']}"
            for tag in _TAGS
            if f"provider_view/{tag}" in run.tags
        ]
        evaluations = [
            e.dagster_event.event_specific_data
            for e in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
        lines.append(format_check_results(evaluations))
        lines.append(_freshness(evaluations))
        return lines


def _freshness(evaluations) -> str:
    """The freshness checks of the run: how many sources were fresh, and the stale ones."""
    fresh = [e for e in evaluations if e.check_name == "freshness"]
    if not fresh:
        return "freshness: not checked in this run"
    stale = [e.asset_key.to_user_string() for e in fresh if not e.passed]
    line = f"freshness: {len(fresh) - len(stale)} of {len(fresh)} sources fresh"
    return line + (f"; stale: {', '.join(sorted(stale))}" if stale else "")


def _published(warehouse: Path) -> list[str]:
    """What readers see: rows per entity and the as-of date of each clinic."""
    if not warehouse.exists():
        return [f"no warehouse at {warehouse}"]
    from orchestration.cli.summary import format_summary, load_summary

    lines = [f"warehouse: {warehouse} (published {_mtime(warehouse)})", ""]
    lines.append(format_summary(load_summary(warehouse)))
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            as_of = con.sql(_AS_OF_QUERY).fetchall()
    except duckdb.Error:
        as_of = []
    lines.append("")
    lines += [f"as of {end} for clinic {clinic}" for clinic, end in as_of] or ["no marts yet"]
    return lines


def _mtime(path: Path) -> str:
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def status_report(warehouse: Path) -> str:
    home = settings.dagster_home_for(warehouse)
    return "\n".join([*_last_run(home), "", *_published(warehouse)])
