"""The pages people open (orchestration/reports), as one asset downstream of the marts:
`reports/scorecards` renders a private page per provider and an owner page per clinic
from the warehouse, read-only, after every refresh."""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.reports.periods import parse_period
from orchestration.reports.render import REPORTS_ENV, ReportError, default_out, render_reports

# The marts the pages read.
READS = (
    "provider_scorecards",
    "team_practices",
    "campaign_provider_performance",
    "provider_performance",
    "campaign_performance",
    "dim_providers",
    "dim_campaigns",
)


class ReportsConfig(Config):
    out: str = ""  # empty: PROVIDER_VIEW_REPORTS, else reports/ beside the warehouse
    period: str = "trailing_90d"  # or a quarter, YYYY-Qn


@asset(
    key=AssetKey(["reports", "scorecards"]),
    deps=[AssetKey(["marts", name]) for name in READS],
    group_name="reports",
    # a reader holds a shared lock that would refuse a writer: take turns with them
    pool=WAREHOUSE_POOL,
    description=(
        "Private provider pages (<out>/<clinic>/providers/<provider_id>.html) and the owner "
        f"page (<out>/<clinic>/index.html), rendered from the marts. <out> is {REPORTS_ENV} "
        "or reports/ beside the warehouse."
    ),
)
def scorecards(
    context: AssetExecutionContext, config: ReportsConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    path = warehouse.warehouse_path()
    out = Path(config.out).resolve() if config.out else default_out(path)
    try:
        rendered = render_reports(path, out, parse_period(config.period))
    except (ReportError, ValueError) as exc:
        raise Failure(description=str(exc)) from None
    context.log.info(f"{rendered.page_count} pages in {out}")
    return MaterializeResult(
        metadata={
            "out": MetadataValue.path(str(out)),
            "pages": rendered.page_count,
            "owner_pages": MetadataValue.json({c: str(p) for c, p in rendered.owner_pages.items()}),
        }
    )
