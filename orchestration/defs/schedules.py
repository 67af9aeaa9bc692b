"""The one job that refreshes everything, and its daily schedule."""

from dagster import ScheduleDefinition, define_asset_job

from orchestration.defs.api_sources import STAGING_LEFT_OUT_TAG, EnabledSourcesSelection


def refresh_job_for(sources: tuple[str, ...] | None = None, never_loaded: tuple[str, ...] = ()):
    """The refresh job over `sources` (the CLI's run), or over the enabled sources,
    without the staging of the sources `never_loaded` names (api_sources.never_loaded);
    its runs' tag STAGING_LEFT_OUT_TAG names them."""
    return define_asset_job(
        name="refresh",
        selection=EnabledSourcesSelection(sources, never_loaded),
        run_tags={STAGING_LEFT_OUT_TAG: ",".join(never_loaded)} if never_loaded else None,
        description=(
            "Load every enabled source (PROVIDER_VIEW_SOURCES, default files), then dbt build "
            "(models, tests, checks)."
        ),
    )


refresh_job = refresh_job_for()

daily_refresh = ScheduleDefinition(
    name="daily_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
)
