"""Data-quality asset checks, each on the asset it guards (the logic is in
orchestration/quality; this module only wires it to Dagster).

- raw/files/<entity>:            gx_suite, quarantine_share        (blocking: stop dbt)
- staging/stg_files__<entity>:   gx_suite, row_accounting (blocking), freshness (dated ones)
- staging/stg_<api source>__<entity>: the same, for every source of ingestion/registry.py
                                 (row accounting: raw rows = staged + quarantined); they
                                 read the source's raw table, so they leave the refresh job
                                 with the source (PROVIDER_VIEW_SOURCES)
- marts/*:                       reconciliations are dbt tests (sums_match_by_period/day),
                                 asset checks through dbt build like every dbt test
- intermediate/*, marts/*:       no_personal_data                  (blocking)

A failed check with severity ERROR on a blocking check stops every asset downstream of
the asset it guards (and fails the run); WARN only shows. dbt tests are checks too:
they come from `dbt build` (defs/transform.py), among them the reconciliations of the
marts with the intermediate models that own each rule (sums_match_by_period/_by_day).
Every check reads the warehouse with a read-only connection inside the writers' pool,
so it never meets a writer's lock.
"""

from collections.abc import Callable, Iterable

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    Config,
    MetadataValue,
    multi_asset_check,
)
from pydantic import Field

from ingestion import registry
from ingestion.files import ENTITIES
from orchestration.defs.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.defs.transform import dbt_models
from orchestration.quality import accounting, freshness, privacy, quarantine
from orchestration.quality.gx_suites import RAW_SUITES, STAGING_SUITES, Suite, read_frame
from orchestration.quality.outcome import Outcome
from orchestration.quality.warehouse import read_only_target, unavailable

_RAW = {e: AssetKey(["raw", "files", e]) for e in ENTITIES}
_STAGED = {e: AssetKey(["staging", f"stg_files__{e}"]) for e in ENTITIES}
_QUARANTINE = AssetKey(["raw", "files", "quarantine"])
_LOADED_FILES = AssetKey(["raw", "files", "loaded_files"])
_DBT_KEYS = set(dbt_models.keys)
# Each API source's staged table -> (source, entity, the raw asset it is staged from)
_API_STAGED = {
    AssetKey(["staging", spec.staging_model(e)]): (name, e, AssetKey(["raw", name, e]))
    for name, spec in registry.API_SOURCES.items()
    for e in spec.entities
    if AssetKey(["staging", spec.staging_model(e)]) in _DBT_KEYS
}


def _raw_of(staged: AssetKey) -> list[AssetKey]:
    """The raw asset an API source's staged table reads: a check that depends on it is
    left out of the refresh job with the source."""
    return [_API_STAGED[staged][2]] if staged in _API_STAGED else []


class GxConfig(Config):
    # A random sample of 100,000 rows holds, with 99.3% odds, a row of any defect that
    # affects 1 row in 20,000; row by row, the load's validation and dbt's tests on
    # whole tables catch the rest. 300,000 cost 9 s more per run at 1.2M appointments.
    max_rows: int = Field(
        default=100_000, description="Rows read per table; a larger table is sampled."
    )


class QuarantineConfig(Config):
    max_share: float = Field(
        default=0.10,
        description="Error when more than this share of an entity's rows is quarantined"
        " (0.10 = 10%); any quarantined row warns.",
    )
    max_share_by_entity: dict[str, float] = Field(
        default_factory=dict, description="Per-entity thresholds, e.g. {appointments: 0.02}."
    )


class FreshnessConfig(Config):
    reference: str = Field(
        default="as_of",
        description="'as_of': lag behind the as-of date (explicit, else the latest completed"
        " appointment or closed invoice of the clinic); 'today': lag behind today.",
    )
    warn_after_days: dict[str, int] = Field(
        default_factory=dict,
        description="Per entity (every source of it), e.g. {ad_spend: 2}; defaults in code.",
    )
    error_after_days: dict[str, int] = Field(default_factory=dict)


def _result(key: AssetCheckKey, outcome: Outcome) -> AssetCheckResult:
    metadata = dict(outcome.metadata)
    if outcome.details:
        metadata["details"] = MetadataValue.md(outcome.details)
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=outcome.passed,
        severity=AssetCheckSeverity(outcome.severity),
        description=outcome.description,
        metadata=metadata,
    )


def _evaluate(
    context: AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    evaluators: dict[AssetCheckKey, Callable],
) -> Iterable[AssetCheckResult]:
    """Run the selected checks' evaluators on one read-only connection."""
    selected = [k for k in evaluators if k in context.selected_asset_check_keys]
    path = warehouse.warehouse_path()
    problem = unavailable(path)
    if problem:
        for key in selected:
            yield _result(key, Outcome(False, "ERROR", problem))
        return
    with read_only_target(path) as con:
        for key in selected:
            yield _result(key, evaluators[key](con))


# ---- Great Expectations suites on raw and staging --------------------------------------


def _gx_check(name: str, suites: list[Suite], blocking: bool, description: str):
    specs = {
        AssetCheckKey(AssetKey(list(s.asset_key)), "gx_suite"): s
        for s in suites
        if AssetKey(list(s.asset_key)) in _RAW.values() or AssetKey(list(s.asset_key)) in _DBT_KEYS
    }

    @multi_asset_check(
        name=name,
        specs=[
            AssetCheckSpec(
                "gx_suite",
                asset=k.asset_key,
                blocking=blocking,
                description=description,
                additional_deps=_raw_of(k.asset_key),
            )
            for k in specs
        ],
        can_subset=True,
        pool=WAREHOUSE_POOL,
    )
    def _check(context: AssetCheckExecutionContext, config: GxConfig, warehouse: WarehouseResource):
        from orchestration.quality.gx_runner import SuiteRunner  # imports GX: only when run

        runner = SuiteRunner()

        def evaluate(suite: Suite):
            def run(con):
                frame, note = read_frame(con, suite, config.max_rows)
                return runner.run(suite.name, frame, suite.rules, note)

            return run

        yield from _evaluate(context, warehouse, {k: evaluate(s) for k, s in specs.items()})

    return _check


raw_gx_suites = _gx_check(
    "raw_gx_suites",
    RAW_SUITES,
    blocking=True,
    description="Great Expectations: the loader's contract (keys, required values, value"
    " sets, ISO timestamps, one row per file row).",
)
staging_gx_suites = _gx_check(
    "staging_gx_suites",
    STAGING_SUITES,
    blocking=True,
    description="Great Expectations: keys, value sets, ranges (no negative sale amounts,"
    " end after start, nothing held in the future), hashed contact data.",
)


# ---- quarantine share on raw --------------------------------------------------------------

_QUARANTINE_KEYS = {AssetCheckKey(_RAW[e], "quarantine_share"): e for e in ENTITIES}


@multi_asset_check(
    name="quarantine_checks",
    specs=[
        AssetCheckSpec(
            "quarantine_share",
            asset=k.asset_key,
            blocking=True,
            additional_deps=[_QUARANTINE],
            description="WARN when any row was quarantined; ERROR when a file was refused"
            " whole or the quarantined share is over the threshold.",
        )
        for k in _QUARANTINE_KEYS
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def quarantine_checks(
    context: AssetCheckExecutionContext, config: QuarantineConfig, warehouse: WarehouseResource
):
    def evaluate(entity: str):
        share = config.max_share_by_entity.get(entity, config.max_share)
        return lambda con: quarantine.quarantine_outcomes(con, [entity], {entity: share})[entity]

    yield from _evaluate(context, warehouse, {k: evaluate(e) for k, e in _QUARANTINE_KEYS.items()})


# ---- row accounting on staging ---------------------------------------------------------

_ACCOUNTING_KEYS = {
    AssetCheckKey(_STAGED[e], "row_accounting"): e for e in ENTITIES if _STAGED[e] in _DBT_KEYS
}


@multi_asset_check(
    name="row_accounting_checks",
    specs=[
        AssetCheckSpec(
            "row_accounting",
            asset=k.asset_key,
            blocking=True,
            additional_deps=[_RAW[e], _QUARANTINE, _LOADED_FILES],
            description="Rows read = rows staged + quarantined + superseded (older versions"
            " of a key); per file, rows read = rows in raw + rows in quarantine.",
        )
        for k, e in _ACCOUNTING_KEYS.items()
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def row_accounting_checks(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    def evaluate(entity: str):
        return lambda con: accounting.accounting_outcome(con, ENTITIES[entity])

    yield from _evaluate(context, warehouse, {k: evaluate(e) for k, e in _ACCOUNTING_KEYS.items()})


_SOURCE_ACCOUNTING_KEYS = {
    AssetCheckKey(k, "row_accounting"): (source, entity)
    for k, (source, entity, _) in _API_STAGED.items()
}


@multi_asset_check(
    name="source_row_accounting_checks",
    specs=[
        AssetCheckSpec(
            "row_accounting",
            asset=k.asset_key,
            blocking=True,
            additional_deps=_raw_of(k.asset_key),
            description="An API source has no file rows: rows in its raw table (dlt merges"
            " on the key, one row per key) = rows staged + rows its staging quarantined.",
        )
        for k in _SOURCE_ACCOUNTING_KEYS
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def source_row_accounting_checks(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    def evaluate(source: str, entity: str):
        return lambda con: accounting.source_accounting_outcome(con, source, entity)

    yield from _evaluate(
        context, warehouse, {k: evaluate(*v) for k, v in _SOURCE_ACCOUNTING_KEYS.items()}
    )


# ---- freshness per source --------------------------------------------------------------

# every source's staged table of a dated entity -> (its freshness source, the entity)
_FRESHNESS_KEYS = {
    AssetCheckKey(AssetKey(["staging", f"stg_{s}__{e}"]), "freshness"): (
        freshness.staged_source(s, e),
        e,
    )
    for e in freshness.DATED
    for s in registry.carriers()[e]
    if AssetKey(["staging", f"stg_{s}__{e}"]) in _DBT_KEYS
}


@multi_asset_check(
    name="freshness_checks",
    specs=[
        AssetCheckSpec(
            "freshness",
            asset=k.asset_key,
            additional_deps=_raw_of(k.asset_key),
            description=f"Days the latest {e} date lags behind the as-of date (or today):"
            f" WARN after {f.warn_after_days}, ERROR after {f.error_after_days} by default.",
        )
        for k, (f, e) in _FRESHNESS_KEYS.items()
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def freshness_checks(
    context: AssetCheckExecutionContext, config: FreshnessConfig, warehouse: WarehouseResource
):
    def evaluate(source: freshness.Source, entity: str):
        return lambda con: freshness.freshness_outcome(
            con,
            source,
            reference=config.reference,
            as_of=warehouse.as_of_date(),
            warn_after_days=config.warn_after_days.get(entity),
            error_after_days=config.error_after_days.get(entity),
        )

    yield from _evaluate(context, warehouse, {k: evaluate(*v) for k, v in _FRESHNESS_KEYS.items()})


# ---- no personal data past staging --------------------------------------------------------

_PRIVACY_KEYS = {
    AssetCheckKey(k, "no_personal_data"): ".".join(k.path)
    for k in sorted(_DBT_KEYS, key=lambda k: k.path)
    if k.path[0] in ("intermediate", "marts")
}


@multi_asset_check(
    name="privacy_checks",
    specs=[
        AssetCheckSpec(
            "no_personal_data",
            asset=k.asset_key,
            blocking=True,
            description="No value that looks like an email address or a phone number, and no"
            " email/phone column: personal data stops at staging (hashed there).",
        )
        for k in _PRIVACY_KEYS
    ],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def privacy_checks(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    def evaluate(relation: str):
        return lambda con: privacy.privacy_outcome(con, relation)

    yield from _evaluate(context, warehouse, {k: evaluate(r) for k, r in _PRIVACY_KEYS.items()})


quality_checks = [
    raw_gx_suites,
    quarantine_checks,
    staging_gx_suites,
    row_accounting_checks,
    source_row_accounting_checks,
    freshness_checks,
    privacy_checks,
]
