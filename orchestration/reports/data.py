"""The marts read into the plain objects the pages are rendered from, with one read-only
connection. A ProviderReport holds that provider's rows and clinic aggregates only
(benchmarks withheld below min_benchmark_providers come back NULL from the mart), so a
page built from it cannot show a colleague's number."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ingestion.values import SERVICE_CATEGORIES
from orchestration.quality.warehouse import Connection, read_only_target
from orchestration.reports.periods import TRAILING, Period

# The six shared metrics of METRICS.md section 6, in page order: (name, label, unit).
METRICS = (
    ("conversion_rate", "Consult conversion", "share"),
    ("avg_ticket", "Average ticket", "money"),
    ("revenue_per_consult_slot", "Revenue per consult slot", "money"),
    ("return_rate_90d", "90-day return", "share"),
    ("rebooking_rate", "Rebooking", "share"),
    ("utilization", "Utilization", "share"),
)
UNITS = {name: unit for name, _, unit in METRICS}
LABELS = {name: label for name, label, _ in METRICS}
CATEGORIES = SERVICE_CATEGORIES  # one consults_<category> column each in the marts


@dataclass(frozen=True)
class Window:
    period_type: str
    start: date
    end: date
    is_complete: bool


@dataclass(frozen=True)
class MetricRow:
    metric: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    sample_size: int | None
    min_sample: int | None
    previous_value: float | None
    clinic_median: float | None
    clinic_top_quartile: float | None
    benchmark_status: str

    @property
    def withheld(self) -> bool:
        return (
            self.value is None
            and self.min_sample is not None
            and ((self.sample_size or 0) < self.min_sample)
        )


@dataclass(frozen=True)
class TrendPoint:
    metric: str
    quarter: date
    value: float | None
    clinic_median: float | None
    clinic_top_quartile: float | None


@dataclass(frozen=True)
class MixShare:
    category: str
    own: float | None
    clinic: float | None


@dataclass(frozen=True)
class Context:
    share_new_patient_consults: float | None
    mix_adjusted_index: float | None
    avg_consult_minutes: float | None
    clinic_median_consult_minutes: float | None
    mix: tuple[MixShare, ...]


@dataclass(frozen=True)
class ProviderReport:
    clinic_id: str
    provider_id: str
    provider_name: str
    window: Window
    metrics: tuple[MetricRow, ...]
    trend: tuple[TrendPoint, ...]
    context: Context


@dataclass(frozen=True)
class TeamRow:
    metric: str
    clinic_value: float | None
    sample_size: int | None
    min_sample: int | None
    providers_with_value: int
    clinic_median: float | None
    clinic_top_quartile: float | None
    benchmark_status: str
    strongest_value: float | None
    strongest_provider_name: str | None


@dataclass(frozen=True)
class RoutingRow:
    platform: str
    campaign_id: str
    campaign_name: str
    provider_id: str
    provider_name: str
    attributed_consult_slots: int
    consults_mature: int
    conversion_rate: float | None
    revenue_per_ad_dollar: float | None
    allocated_spend: float | None
    converted_revenue: float | None
    sample_status: str

    @property
    def campaign_label(self) -> str:
        """ "Lip Filler Promo (meta_ads)"; a row without a campaign is its platform alone."""
        if self.campaign_id == "(none)":
            return self.platform
        return f"{self.campaign_name} ({self.platform})"


@dataclass(frozen=True)
class ClinicReport:
    clinic_id: str
    window: Window
    totals: dict[str, float | int | None]
    team: tuple[TeamRow, ...]
    routing: tuple[RoutingRow, ...]
    providers: tuple[tuple[str, str], ...]  # (provider_id, name) with a page, by name
    min_consults: int | None


def _rows(con: Connection, sql: str, params: list) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _float(value) -> float | None:
    return None if value is None else float(value)


def _period_filter(period: Period, alias: str = "") -> tuple[str, list]:
    prefix = f"{alias}." if alias else ""
    if period.period_type == TRAILING:
        return f"{prefix}period_type = 'trailing_90d'", []
    return f"{prefix}period_type = 'calendar_quarter' and {prefix}period_start = ?", [
        period.quarter_start
    ]


class MartReader:
    """Reads the marts of one warehouse file, read-only (a BI tool may hold it open)."""

    def __init__(self, warehouse: str | Path):
        self._opened = ExitStack()
        self.con = self._opened.enter_context(read_only_target(str(warehouse)))

    def close(self) -> None:
        self._opened.close()

    def __enter__(self) -> MartReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def available_periods(self) -> list[str]:
        quarters = self.con.execute(
            "select distinct period_start from marts.provider_scorecards"
            " where period_type = 'calendar_quarter' order by 1"
        ).fetchall()
        return [TRAILING, *(f"{q.year}-Q{(q.month - 1) // 3 + 1}" for (q,) in quarters)]

    def clinics(self, period: Period) -> list[str]:
        where, params = _period_filter(period)
        return [
            r["clinic_id"]
            for r in _rows(
                self.con,
                f"select distinct clinic_id from marts.provider_scorecards where {where}"
                " order by clinic_id",
                params,
            )
        ]

    def provider_ids(self, clinic_id: str, period: Period) -> list[str]:
        where, params = _period_filter(period)
        return [
            r["provider_id"]
            for r in _rows(
                self.con,
                f"select distinct provider_id from marts.provider_scorecards"
                f" where clinic_id = ? and {where} order by provider_id",
                [clinic_id, *params],
            )
        ]

    # one provider -------------------------------------------------------------------

    def provider_report(self, clinic_id: str, provider_id: str, period: Period) -> ProviderReport:
        where, params = _period_filter(period, "s")
        rows = _rows(
            self.con,
            f"""
            select s.*, p.provider_name
            from marts.provider_scorecards as s
            left join marts.dim_providers as p on p.provider_id = s.provider_id
            where s.clinic_id = ? and s.provider_id = ? and {where}
            """,
            [clinic_id, provider_id, *params],
        )
        by_metric = {r["metric"]: r for r in rows}
        first = rows[0]
        metrics = tuple(
            MetricRow(
                metric=name,
                value=_float(by_metric[name]["value"]),
                ci_low=_float(by_metric[name]["ci_low"]),
                ci_high=_float(by_metric[name]["ci_high"]),
                sample_size=by_metric[name]["sample_size"],
                min_sample=by_metric[name]["min_sample"],
                previous_value=_float(by_metric[name]["previous_value"]),
                clinic_median=_float(by_metric[name]["clinic_median"]),
                clinic_top_quartile=_float(by_metric[name]["clinic_top_quartile"]),
                benchmark_status=by_metric[name]["benchmark_status"],
            )
            for name, _, _ in METRICS
        )
        context = Context(
            share_new_patient_consults=_float(first["share_new_patient_consults"]),
            mix_adjusted_index=_float(first["mix_adjusted_index"]),
            avg_consult_minutes=_float(first["avg_consult_minutes"]),
            clinic_median_consult_minutes=_float(first["clinic_median_consult_minutes"]),
            mix=tuple(
                MixShare(
                    c,
                    _float(first[f"consult_share_{c}"]),
                    _float(first[f"clinic_consult_share_{c}"]),
                )
                for c in CATEGORIES
            ),
        )
        window = Window(
            first["period_type"], first["period_start"], first["period_end"], first["is_complete"]
        )
        return ProviderReport(
            clinic_id=clinic_id,
            provider_id=provider_id,
            provider_name=first["provider_name"] or provider_id,
            window=window,
            metrics=metrics,
            trend=self._trend(clinic_id, provider_id, window),
            context=context,
        )

    def _trend(self, clinic_id: str, provider_id: str, window: Window) -> tuple[TrendPoint, ...]:
        """The provider's calendar quarters up to the one the window ends in."""
        rows = _rows(
            self.con,
            """
            select metric, period_start, value, clinic_median, clinic_top_quartile
            from marts.provider_scorecards
            where clinic_id = ? and provider_id = ? and period_type = 'calendar_quarter'
                and period_start <= ?
            order by period_start
            """,
            [clinic_id, provider_id, window.end],
        )
        return tuple(
            TrendPoint(
                r["metric"],
                r["period_start"],
                _float(r["value"]),
                _float(r["clinic_median"]),
                _float(r["clinic_top_quartile"]),
            )
            for r in rows
        )

    # the clinic ---------------------------------------------------------------------

    def clinic_report(self, clinic_id: str, period: Period) -> ClinicReport:
        where, params = _period_filter(period)
        team_rows = {
            r["metric"]: r
            for r in _rows(
                self.con,
                f"select * from marts.team_practices where clinic_id = ? and {where}",
                [clinic_id, *params],
            )
        }
        first = next(iter(team_rows.values()))
        window = Window(
            first["period_type"], first["period_start"], first["period_end"], first["is_complete"]
        )
        team = tuple(
            TeamRow(
                metric=name,
                clinic_value=_float(team_rows[name]["clinic_value"]),
                sample_size=team_rows[name]["sample_size"],
                min_sample=team_rows[name]["min_sample"],
                providers_with_value=team_rows[name]["providers_with_value"],
                clinic_median=_float(team_rows[name]["clinic_median"]),
                clinic_top_quartile=_float(team_rows[name]["clinic_top_quartile"]),
                benchmark_status=team_rows[name]["benchmark_status"],
                strongest_value=_float(team_rows[name]["strongest_value"]),
                strongest_provider_name=team_rows[name]["strongest_provider_name"],
            )
            for name, _, _ in METRICS
        )
        routing = tuple(
            RoutingRow(
                platform=r["platform"],
                campaign_id=r["campaign_id"],
                campaign_name=r["campaign_name"] or r["campaign_id"],
                provider_id=r["provider_id"],
                provider_name=r["provider_name"] or r["provider_id"],
                attributed_consult_slots=r["attributed_consult_slots"],
                consults_mature=r["consults_mature"],
                conversion_rate=_float(r["conversion_rate"]),
                revenue_per_ad_dollar=_float(r["revenue_per_ad_dollar"]),
                allocated_spend=_float(r["allocated_spend"]),
                converted_revenue=_float(r["converted_revenue"]),
                sample_status=r["sample_status"],
            )
            for r in _rows(
                self.con,
                f"""
                select r.*, c.campaign_name, p.provider_name
                from marts.campaign_provider_performance as r
                left join marts.dim_campaigns as c
                    on c.clinic_id = r.clinic_id and c.platform = r.platform
                    and c.campaign_id = r.campaign_id
                left join marts.dim_providers as p on p.provider_id = r.provider_id
                where r.clinic_id = ? and {_period_filter(period, "r")[0]}
                order by r.platform, r.campaign_id, p.provider_name, r.provider_id
                """,
                [clinic_id, *params],
            )
        )
        providers = tuple(
            (r["provider_id"], r["provider_name"] or r["provider_id"])
            for r in _rows(
                self.con,
                f"""
                select distinct s.provider_id, p.provider_name
                from marts.provider_scorecards as s
                left join marts.dim_providers as p on p.provider_id = s.provider_id
                where s.clinic_id = ? and {_period_filter(period, "s")[0]}
                order by p.provider_name, s.provider_id
                """,
                [clinic_id, *params],
            )
        )
        return ClinicReport(
            clinic_id=clinic_id,
            window=window,
            totals=self._totals(clinic_id, period),
            team=team,
            routing=routing,
            providers=providers,
            min_consults=team_rows["conversion_rate"]["min_sample"],
        )

    def _totals(self, clinic_id: str, period: Period) -> dict[str, float | int | None]:
        where, params = _period_filter(period)
        totals = _rows(
            self.con,
            f"""
            select
                count(*) as providers,
                sum(consult_slots) as consult_slots,
                sum(consults_held) as consults_held,
                sum(consults_mature) as consults_mature,
                sum(consults_converted) as consults_converted,
                sum(converted_revenue) as converted_revenue,
                sum(tickets) as tickets,
                sum(ticket_revenue) as ticket_revenue
            from marts.provider_performance
            where clinic_id = ? and {where}
            """,
            [clinic_id, *params],
        )[0]
        ads = _rows(
            self.con,
            f"""
            select sum(spend) as ad_spend, sum(leads) as leads
            from marts.campaign_performance
            where clinic_id = ? and {where}
            """,
            [clinic_id, *params],
        )[0]
        merged = {**totals, **ads}
        return {k: (int(v) if isinstance(v, int) else _float(v)) for k, v in merged.items()}
