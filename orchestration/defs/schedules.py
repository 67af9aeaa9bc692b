"""The one job that refreshes everything, and its daily schedule."""

from dagster import ScheduleDefinition, define_asset_job

from orchestration.defs.api_sources import EnabledSourcesSelection

refresh_job = define_asset_job(
    name="refresh",
    selection=EnabledSourcesSelection(),
    description=(
        "Load every enabled source (PROVIDER_VIEW_SOURCES, default files), then dbt build "
        "(models, tests, checks)."
    ),
)

daily_refresh = ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
)
