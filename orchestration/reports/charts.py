"""Charts drawn offline: Vega-Altair specs rendered to SVG by vl-convert (no network, no
JavaScript in the page). Each chart is specified once with Altair over a named data set
and compiled once to Vega (building and validating an Altair spec costs more than
rendering it); a page only fills in its rows and renders one SVG (~0.2 s)."""

from __future__ import annotations

import copy
import json
from functools import cache

import altair as alt
import vl_convert

from orchestration.reports.data import METRICS, ClinicReport, ProviderReport
from orchestration.reports.periods import quarter_label

OWN = "#1f5f8b"
BAND = "#9cc9b4"
WITHHELD = "#e6e6e6"
_FONT = "Helvetica, Arial, sans-serif"


def _finish(chart, dataset: str) -> dict:
    """The Vega spec of `chart`, its named data set still empty."""
    spec = (
        chart.configure(font=_FONT)
        .configure_view(stroke=None)
        .configure_title(fontSize=13, anchor="start")
        .to_dict()
    )
    spec["datasets"] = {dataset: []}
    return vl_convert.vegalite_to_vega(json.dumps(spec))


def compile_templates() -> None:
    """Every chart's template, compiled now rather than by the first page that draws it
    (Altair's import, building and validating the specs and vl-convert's start: ~1.5 s).
    The CLI calls it in a thread while its process waits on dbt's (cli/progress.py)."""
    _trend_template()
    _routing_template(True)
    _routing_template(False)


def _render(template: dict, dataset: str, rows: list[dict]) -> str:
    spec = copy.copy(template)
    spec["data"] = [
        {**entry, "values": rows} if entry.get("name") == dataset else entry
        for entry in template["data"]
    ]
    return vl_convert.vega_to_svg(json.dumps(spec))


@cache
def _trend_template() -> dict:
    panels = []
    for name, label, unit in METRICS:
        fmt = ".0%" if unit == "share" else ",.0f"
        base = (
            alt.Chart(alt.NamedData(name="trend"))
            .transform_filter(alt.datum.metric == name)
            .encode(
                x=alt.X(
                    "quarter:O",
                    title=None,
                    # "2026 Q1" on two lines: Q1 over 2026
                    axis=alt.Axis(
                        labelAngle=0,
                        labelExpr="[split(datum.label, ' ')[1], split(datum.label, ' ')[0]]",
                    ),
                )
            )
        )
        band = base.mark_area(color=BAND, opacity=0.6, invalid="break-paths-show-domains").encode(
            y=alt.Y("median:Q", title=None, axis=alt.Axis(format=fmt, tickCount=4)),
            y2="top_quartile:Q",
        )
        line = base.mark_line(
            color=OWN, strokeWidth=2.5, point=alt.OverlayMarkDef(color=OWN, size=45)
        ).encode(y="value:Q")
        panels.append(alt.layer(band, line).properties(title=label, width=250, height=130))
    return _finish(alt.concat(*panels, columns=3), "trend")


def provider_trend_svg(report: ProviderReport) -> str | None:
    """Six small panels, one per metric: the provider's own quarterly line over the clinic
    band (median to top quartile). A withheld quarter or benchmark leaves a gap."""
    if not report.trend:
        return None
    rows = [
        {
            "metric": p.metric,
            "quarter": quarter_label(p.quarter),  # "2026 Q1" sorts as text
            "value": p.value,
            "median": p.clinic_median,
            "top_quartile": p.clinic_top_quartile,
        }
        for p in report.trend
    ]
    return _render(_trend_template(), "trend", rows)


@cache
def _routing_template(with_per_dollar: bool) -> dict:
    base = alt.Chart(alt.NamedData(name="routing")).encode(
        x=alt.X("provider:N", title=None, axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("campaign:N", title=None, axis=alt.Axis(labelLimit=320)),
    )
    routed = alt.layer(
        base.mark_rect().encode(
            color=alt.Color("routed:Q", scale=alt.Scale(scheme="blues"), title="routed consults")
        ),
        base.mark_text(fontSize=11).encode(
            text="routed:Q",
            color=alt.condition("datum.dark", alt.value("white"), alt.value("#222")),
        ),
    ).properties(title="Routed consults", width=alt.Step(40), height=alt.Step(22))
    if not with_per_dollar:  # every rate withheld: a colour scale over nothing reads NaN
        return _finish(routed, "routing")
    with_spend = base.transform_filter("datum.has_spend")
    per_dollar = alt.layer(
        with_spend.mark_rect(color=WITHHELD),
        with_spend.mark_rect()
        .encode(
            color=alt.Color(
                "per_dollar:Q", scale=alt.Scale(scheme="greens"), title="revenue per ad $"
            )
        )
        .transform_filter("isValid(datum.per_dollar)"),
        with_spend.mark_text(fontSize=11).encode(
            text="per_dollar_label:N",
            color=alt.condition("datum.per_dollar_dark", alt.value("white"), alt.value("#222")),
        ),
    ).properties(title="Revenue per ad dollar", width=alt.Step(40), height=alt.Step(22))
    return _finish(
        alt.vconcat(routed, per_dollar, spacing=28).resolve_scale(color="independent"), "routing"
    )


def routing_svg(report: ClinicReport) -> str | None:
    """Campaign x provider: routed consults (top) and revenue per ad dollar of the
    campaigns with spend (below, grey where withheld for a small sample; left out when no
    cell has one)."""
    if not report.routing:
        return None
    most = max(r.attributed_consult_slots for r in report.routing)
    best = max((r.revenue_per_ad_dollar or 0) for r in report.routing)
    rows = [
        {
            "campaign": r.campaign_label,
            "provider": r.provider_name,
            "routed": r.attributed_consult_slots,
            "dark": r.attributed_consult_slots > 0.6 * most,  # white text on dark cells
            "has_spend": (r.allocated_spend or 0) > 0,  # organic, referral: nothing to divide
            "per_dollar": r.revenue_per_ad_dollar,
            "per_dollar_dark": (r.revenue_per_ad_dollar or 0) > 0.6 * best,
            "per_dollar_label": "–"
            if r.revenue_per_ad_dollar is None
            else f"{r.revenue_per_ad_dollar:.2f}",
        }
        for r in report.routing
    ]
    published = any(r.revenue_per_ad_dollar is not None for r in report.routing)
    return _render(_routing_template(published), "routing", rows)
