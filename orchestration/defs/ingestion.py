"""dlt assets: one asset per resource of each source, keyed raw/<source>/<resource>."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, apply_freshness_policy
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion.files import drop_legacy_primary_keys, file_exports
from orchestration.defs.resources import (
    DAILY_FRESHNESS,
    WAREHOUSE_POOL,
    WarehouseResource,
    standin_pipeline,
)


class RawTranslator(DagsterDltTranslator):
    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        source = data.resource.source_name
        spec = spec.replace_attributes(
            key=AssetKey(["raw", source, data.resource.name]),
            deps=[],
            group_name=f"raw_{source}",
        )
        return apply_freshness_policy(spec, DAILY_FRESHNESS)


# Definition-time stand-ins: the run builds the real source and pipeline from the resource.
_FILES_DATASET = "raw_files"


@dlt_assets(
    dlt_source=file_exports(folder=""),
    dlt_pipeline=standin_pipeline("files", _FILES_DATASET),
    name="raw_files",
    dagster_dlt_translator=RawTranslator(),
    pool=WAREHOUSE_POOL,
)
def raw_files_assets(
    context: AssetExecutionContext, dlt_resource: DagsterDltResource, warehouse: WarehouseResource
):
    """Loads the canonical exports folder into raw_files (quarantining bad rows)."""
    refused: list[str] = []
    source = file_exports(
        folder=warehouse.inputs_url(),
        column_map=warehouse.map_path(),
        on_file_error=lambda entity, message: refused.append(f"{entity}: {message}"),
    )
    context.log.info(
        f"loading exports from {warehouse.inputs_url()} into {warehouse.warehouse_path()}"
    )
    with warehouse.dlt_pipeline("files", _FILES_DATASET) as pipeline:
        drop_legacy_primary_keys(pipeline)
        yield from dlt_resource.run(
            context=context,
            dlt_source=source,
            dlt_pipeline=pipeline,
            dagster_dlt_translator=RawTranslator(),
        )
    if refused:
        raise Failure(
            description="files refused whole (the rest loaded):\n" + "\n".join(refused),
            metadata={"refused_files": "\n".join(refused)},
        )
