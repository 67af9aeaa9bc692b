"""dlt assets of the API sources (every source of ingestion/registry.py), and which
sources the refresh job loads.

Each source is one `@dlt_assets` multi-asset, group `raw_<source>`, keys
`raw/<source>/<resource>`, loading the dataset `raw_<source>` through a pipeline of the
same name. As for the file source, the decorator gets a definition-time stand-in (only
its resource names matter); a run builds the real source from dlt's config providers
(`sources.<source>.*` in `.dlt/config.toml` / `.dlt/secrets.toml`, or
`SOURCES__<SOURCE>__<KEY>` in the environment).

Which sources run is configuration: the refresh job (CLI, schedule, launchpad) selects
the raw assets of the sources in PROVIDER_VIEW_SOURCES only. A source that is not listed
is simply not part of the job, so its assets stay "never materialized" (or keep their
last real load) in the UI instead of showing a fake success, and nothing downstream is
skipped on its account: its dbt staging models read an empty relation while its raw
tables do not exist. A CLI run also leaves out the staging models of a source the
warehouse never loaded (`never_loaded`): they would hold no rows, and the unions read the
staged relations that exist (dbt macro staged_relations). Materializing a listed source
that is not configured fails that asset with the missing keys named.

An ad source loads all its accounts (`sources.<source>.accounts`, each with its clinic) in
one run. An account that fails does not stop the others: they load and their look-back
moves on, then the source's asset fails naming the failed accounts and their errors (the
failed account is re-read in full next run).
"""

from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from dagster import (
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    Failure,
)
from dagster_dlt import DagsterDltResource, dlt_assets
from dlt.common.configuration.exceptions import ConfigFieldMissingException
from dlt.extract.source import DltSource

from ingestion.ad_spend import AdAccount
from ingestion.http import SourceError
from ingestion.registry import API_SOURCES, ApiSource
from orchestration import settings
from orchestration.defs.ingestion import RawTranslator
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource, standin_pipeline

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph


def configured_source(name: str, **arguments: Any) -> DltSource:
    """The source built from dlt's config providers, or a Failure naming what is missing."""
    spec = API_SOURCES[name]
    try:
        return spec.build(**arguments)
    except SourceError as exc:  # a configuration the source refused, with what to fix
        raise Failure(description=str(exc)) from None
    except ConfigFieldMissingException as exc:
        missing = ", ".join(f"sources.{name}.{field}" for field in exc.fields)
        env = ", ".join(
            f"SOURCES__{name.upper()}__{key.replace('.', '__').upper()}" for key in spec.required
        )
        raise Failure(
            description=(
                f"{name} is not configured: missing {missing}. Set them in .dlt/config.toml "
                f"(secrets in .dlt/secrets.toml) in the directory you run from, or as "
                f"environment variables ({env}); see README 'Pulling from the APIs'. "
                f"Or remove {name} from {settings.SOURCES_ENV} / --source."
            ),
            metadata={"missing": missing},
        ) from None


def _api_assets(spec: ApiSource) -> AssetsDefinition:
    def load(
        context: AssetExecutionContext,
        dlt_resource: DagsterDltResource,
        warehouse: WarehouseResource,
    ) -> Iterator:
        failed: list[tuple[AdAccount, SourceError]] = []
        arguments = {"on_account_failure": lambda a, e: failed.append((a, e))}
        source = configured_source(spec.name, **(arguments if spec.per_account else {}))
        context.log.info(f"loading {spec.name} into {spec.dataset} of {warehouse.warehouse_path()}")
        with warehouse.dlt_pipeline(spec.dataset, spec.dataset) as pipeline:
            yield from dlt_resource.run(
                context=context,
                dlt_source=source,
                dlt_pipeline=pipeline,
                dagster_dlt_translator=RawTranslator(),
            )
        if failed:
            accounts = "; ".join(f"{a.account_id} ({a.clinic_id}): {e}" for a, e in failed)
            raise Failure(
                description=f"{spec.name}: {len(failed)} account(s) failed, the others "
                f"loaded: {accounts}",
                metadata={"failed_accounts": [a.account_id for a, _ in failed]},
            )

    load.__doc__ = (
        f"Loads {spec.name} (ingestion/{spec.name}) into {spec.dataset}, merging on each "
        f"table's key. In the refresh job when {settings.SOURCES_ENV} lists {spec.name}."
    )
    return dlt_assets(
        dlt_source=spec.build(**spec.standin),
        dlt_pipeline=standin_pipeline(spec.dataset, spec.dataset),
        name=spec.dataset,
        dagster_dlt_translator=RawTranslator(),
        pool=WAREHOUSE_POOL,
    )(load)


# One multi-asset per registered source, keyed by the source's name.
API_ASSETS: dict[str, AssetsDefinition] = {
    name: _api_assets(spec) for name, spec in API_SOURCES.items()
}
api_source_assets = list(API_ASSETS.values())


class EnabledSourcesSelection(AssetSelection):
    """Every asset except the raw groups of the sources not enabled and the staging models
    of the sources `never_loaded` names, with the checks on those assets, except checks
    that also read a left-out asset. The sources are given (the CLI's run), else read from
    PROVIDER_VIEW_SOURCES when the job is resolved (code-location load), not at import."""

    def __init__(self, sources: tuple[str, ...] | None = None, never_loaded: tuple[str, ...] = ()):
        self.enabled = sources
        self.never_loaded = never_loaded

    def _left_out(
        self, asset_graph: "BaseAssetGraph", allow_missing: bool
    ) -> AbstractSet[AssetKey]:
        enabled = settings.enabled_sources() if self.enabled is None else self.enabled
        raw = AssetSelection.groups(*(f"raw_{s}" for s in settings.SOURCES if s not in enabled))
        prefixes = tuple(p for s in self.never_loaded for p in API_SOURCES[s].staging_prefixes)
        staging = AssetSelection.groups("staging").resolve_inner(asset_graph, allow_missing)
        unbuilt = {key for key in staging if key.path[-1].startswith(prefixes)}
        return raw.resolve_inner(asset_graph, allow_missing) | unbuilt

    def resolve_inner(
        self, asset_graph: "BaseAssetGraph", allow_missing: bool
    ) -> AbstractSet[AssetKey]:
        everything = AssetSelection.all().resolve_inner(asset_graph, allow_missing)
        return everything - self._left_out(asset_graph, allow_missing)

    def resolve_checks_inner(
        self, asset_graph: "BaseAssetGraph", allow_missing: bool
    ) -> AbstractSet[AssetCheckKey]:
        selected = self.resolve_inner(asset_graph, allow_missing)
        left_out = self._left_out(asset_graph, allow_missing)
        return {
            key
            for key in asset_graph.asset_check_keys
            if key.asset_key in selected and not asset_graph.get(key).parent_entity_keys & left_out
        }


# The run tag naming the sources whose staging a CLI run leaves out (never_loaded).
STAGING_LEFT_OUT_TAG = "provider_view/staging_left_out"


def never_loaded(warehouse: str, running: tuple[str, ...]) -> tuple[str, ...]:
    """The API sources that this run does not load and of which the warehouse holds
    nothing, neither raw tables nor staging: their staging would hold no rows, so the run
    leaves it out. Where the PostgreSQL warehouse cannot be read, none (the run reports
    the connection itself)."""
    from orchestration.quality.warehouse import read_only_target, unavailable

    candidates = tuple(name for name in API_SOURCES if name not in running)
    if not candidates:
        return ()
    if unavailable(warehouse):  # no DuckDB file yet holds nothing; a server we cannot read
        return candidates if settings.target() == settings.DUCKDB else ()
    with read_only_target(warehouse) as con:
        held = [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        ]
    return tuple(
        name
        for name in candidates
        if not any(relation.startswith(_held_prefixes(API_SOURCES[name])) for relation in held)
    )


def _held_prefixes(spec: ApiSource) -> tuple[str, ...]:
    """`schema.name` of what the warehouse holds of a source: raw tables, staging models."""
    return (f"{spec.dataset}.", *(f"staging.{p}" for p in spec.staging_prefixes))
