"""The one job that refreshes everything, and its daily schedule."""

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

refresh_job = define_asset_job(
    name="refresh",
    selection=AssetSelection.all(),
    description="Load every source, then dbt build (models, tests, checks).",
)

daily_refresh = ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
)
