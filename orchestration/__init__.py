"""Provider View's Dagster code location and the provider-view command."""
