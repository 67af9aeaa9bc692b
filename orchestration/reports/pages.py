"""The HTML of the two pages, from the report objects. Every number is written with
`data-key` and `data-raw` (the exact mart value), so a test can read a page back and
compare it with the marts; a withheld value carries `data-withheld` and plain words."""

from __future__ import annotations

from html import escape

from orchestration.reports.data import (
    LABELS,
    UNITS,
    ClinicReport,
    MetricRow,
    ProviderReport,
    RoutingRow,
    TeamRow,
    Window,
)
from orchestration.reports.periods import TRAILING, quarter_label

SAMPLE_NOUNS = {
    "conversion_rate": "mature consults",
    "revenue_per_consult_slot": "mature consults",
    "avg_ticket": "tickets",
    "return_rate_90d": "mature first visits",
    "rebooking_rate": "completed visits",
}
NO_BENCHMARK = (
    "Clinic benchmark not shown: too few providers have a published value, and a "
    "benchmark must never reveal a colleague's number."
)

_CSS = """
:root { --ink: #1d2731; --muted: #5b6670; --own: #1f5f8b; --band: #9cc9b4; --line: #dde3e8; }
* { box-sizing: border-box; }
body {
  margin: 0;
  font: 15px/1.45 Helvetica, Arial, sans-serif;
  color: var(--ink);
  background: #f6f8f9;
}
main { max-width: 1120px; margin: 0 auto; padding: 28px 32px 48px; }
h1 { font-size: 26px; margin: 4px 0 6px; }
h2 { font-size: 18px; margin: 32px 0 10px; }
h3 { font-size: 14px; margin: 0 0 6px; color: var(--muted); font-weight: 600; }
.eyebrow {
  text-transform: uppercase;
  letter-spacing: .08em;
  font-size: 12px;
  color: #a04a28;
  margin: 0;
}
.lede { color: var(--muted); margin: 0 0 8px; max-width: 860px; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 14px; }
.card {
  background: white;
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 14px 16px;
}
.value { font-size: 28px; font-weight: 700; color: var(--own); margin: 2px 0; }
.value.withheld, .value.na { font-size: 15px; font-weight: 600; color: var(--muted); }
.card p { margin: 3px 0; }
.small { font-size: 13px; color: var(--muted); }
figure {
  background: white;
  border: 1px solid var(--line);
  border-radius: 8px;
  margin: 0;
  padding: 14px;
  overflow-x: auto;
}
figcaption { font-size: 13px; color: var(--muted); margin-top: 8px; }
.swatch {
  display: inline-block;
  width: 12px;
  height: 12px;
  border-radius: 2px;
  vertical-align: -1px;
}
table {
  border-collapse: collapse;
  background: white;
  width: 100%;
  border: 1px solid var(--line);
}
th, td {
  text-align: left;
  padding: 6px 10px;
  border-bottom: 1px solid var(--line);
  font-size: 14px;
}
th { background: #eef2f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.bar { display: inline-block; height: 9px; border-radius: 2px; vertical-align: middle; }
.bar.own { background: var(--own); }
.bar.clinic { background: var(--band); }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; }
.tile {
  background: white;
  border: 1px solid var(--line);
  border-radius: 8px;
  padding: 10px 12px;
}
.tile .num { font-size: 20px; font-weight: 700; }
ul.pages { columns: 3; padding-left: 18px; }
footer { margin-top: 36px; font-size: 12px; color: var(--muted); }
"""


# numbers -------------------------------------------------------------------------------


def fmt_share(value: float) -> str:
    return f"{value * 100:.1f}%"


def fmt_money(value: float) -> str:
    return f"{value:,.2f}"


def fmt_metric(metric: str, value: float) -> str:
    return fmt_share(value) if UNITS[metric] == "share" else fmt_money(value)


def number(key: str, value, text: str) -> str:
    """A number the page shows, with the exact value it came from."""
    return f'<span data-key="{escape(key)}" data-raw="{value!r}">{escape(text)}</span>'


def metric_number(key: str, metric: str, value: float) -> str:
    return number(key, value, fmt_metric(metric, value))


def share_number(key: str, value: float) -> str:
    return number(key, value, fmt_share(value))


def count_number(key: str, value: int) -> str:
    return number(key, value, f"{value:,}")


def num_cell(inner: str) -> str:
    return f'<td class="num">{inner}</td>'


def withheld(tag: str, key: str, words: str, attrs: str = "") -> str:
    """Plain words where a value is withheld, marked so a test can find them."""
    return f'<{tag} {attrs} data-key="{escape(key)}" data-withheld="true">{escape(words)}</{tag}>'


def period_words(window: Window) -> tuple[str, str]:
    """(title of the period, 'this quarter' / 'in these 90 days')."""
    span = f"{window.start:%-d %b %Y} to {window.end:%-d %b %Y}"
    if window.period_type == TRAILING:
        return f"The trailing 90 days, {span}", "in these 90 days"
    running = "" if window.is_complete else " (in progress)"
    return f"{quarter_label(window.start)}, {span}{running}", "this quarter"


def withheld_words(row: MetricRow, when: str) -> str:
    return f"Fewer than {row.min_sample} {SAMPLE_NOUNS[row.metric]} {when}: not shown"


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><main>{body}</main></body></html>\n"
    )


def _figure(svg: str | None, caption: str, label: str) -> str:
    if svg is None:
        return '<p class="muted">No quarter to draw yet.</p>'
    return (
        f'<figure role="img" aria-label="{escape(label)}">{svg}'
        f"<figcaption>{caption}</figcaption></figure>"
    )


# the provider's page ---------------------------------------------------------------------


def _where(row: MetricRow) -> str:
    if row.value is None or row.clinic_median is None or row.clinic_top_quartile is None:
        return ""
    if row.value >= row.clinic_top_quartile:
        words = "at or above the clinic's top quartile"
    elif row.value >= row.clinic_median:
        words = "between the clinic median and top quartile"
    else:
        words = "below the clinic median"
    return f'<p class="small">You are {words}.</p>'


def _metric_card(row: MetricRow, window: Window) -> str:
    _, when = period_words(window)
    name = row.metric
    parts = [f"<h3>{escape(LABELS[name])}</h3>"]
    if row.value is not None:
        parts.append(f'<p class="value">{metric_number(f"{name}.value", name, row.value)}</p>')
        if row.ci_low is not None and row.ci_high is not None:
            low = share_number(f"{name}.ci_low", row.ci_low)
            high = share_number(f"{name}.ci_high", row.ci_high)
            parts.append(f'<p class="small">95% interval {low} to {high}</p>')
    elif row.withheld:
        parts.append(
            withheld("p", f"{name}.value", withheld_words(row, when), 'class="value withheld"')
        )
    else:
        missing = "No shifts recorded" if name == "utilization" else "Nothing to measure"
        parts.append(
            f'<p class="value na" data-key="{name}.value" data-withheld="false">'
            f"{missing} {when}: not available</p>"
        )
    if row.sample_size is not None:
        sample = count_number(f"{name}.sample_size", row.sample_size)
        parts.append(f'<p class="small">Based on {sample} {SAMPLE_NOUNS[name]}</p>')
    if window.period_type != TRAILING:
        previous = (
            metric_number(f"{name}.previous_value", name, row.previous_value)
            if row.previous_value is not None
            else "not available"
        )
        parts.append(f'<p class="small">Your previous quarter: {previous}</p>')
    if row.benchmark_status == "ok":
        median = metric_number(f"{name}.clinic_median", name, row.clinic_median)
        top = metric_number(f"{name}.clinic_top_quartile", name, row.clinic_top_quartile)
        parts.append(f'<p class="small">Clinic median {median} · top quartile {top}</p>')
        parts.append(_where(row))
    else:
        parts.append(withheld("p", f"{name}.benchmark", NO_BENCHMARK, 'class="small"'))
    return f'<article class="card">{"".join(parts)}</article>'


def _context_items(report: ProviderReport) -> list[str]:
    ctx = report.context
    _, when = period_words(report.window)
    items = []
    if (new := ctx.share_new_patient_consults) is not None:
        items.append(
            "New patients in your consults: "
            f"{share_number('context.share_new_patient_consults', new)} (a first consultation "
            "converts differently from a returning patient's)"
        )
    conversion = next(r for r in report.metrics if r.metric == "conversion_rate")
    if (index := ctx.mix_adjusted_index) is not None:
        items.append(
            "Mix-adjusted conversion index: "
            f"{number('context.mix_adjusted_index', index, f'{index:.2f}')} (1.00 = what the "
            "clinic converts for your mix of consult categories)"
        )
    elif conversion.withheld:
        items.append(
            f"Mix-adjusted conversion index: {escape(withheld_words(conversion, when).lower())}"
        )
    if (minutes := ctx.avg_consult_minutes) is not None:
        clinic = ctx.clinic_median_consult_minutes
        median = (
            "clinic median "
            + number("context.clinic_median_consult_minutes", clinic, f"{clinic:.0f} min")
            if clinic is not None
            else "clinic median not shown (too few providers)"
        )
        own = number("context.avg_consult_minutes", minutes, f"{minutes:.0f} min")
        items.append(f"Scheduled consult length: {own} on average; {median}")
    return items


def _mix_table(report: ProviderReport) -> str:
    rows = "".join(
        f"<tr><td>{escape(m.category.replace('_', ' '))}</td>"
        + num_cell(share_number(f"context.mix.{m.category}", m.own))
        + f'<td><span class="bar own" style="width:{m.own * 160:.0f}px"></span></td>'
        + num_cell(share_number(f"context.clinic_mix.{m.category}", m.clinic))
        + f'<td><span class="bar clinic" style="width:{m.clinic * 160:.0f}px"></span></td></tr>'
        for m in report.context.mix
        if m.own is not None and m.clinic is not None and (m.own > 0 or m.clinic > 0)
    )
    if not rows:
        return '<p class="muted">No consultations in this period.</p>'
    return (
        "<table><thead><tr><th>Consult category</th><th class='num'>Your consults</th>"
        f"<th></th><th class='num'>Clinic</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
    )


def provider_page(report: ProviderReport, trend_svg: str | None) -> str:
    title, _ = period_words(report.window)
    cards = "".join(_metric_card(row, report.window) for row in report.metrics)
    legend = (
        '<span class="swatch" style="background:#1f5f8b"></span> your value each calendar '
        'quarter; <span class="swatch" style="background:#9cc9b4"></span> the clinic band, '
        "from the median to the top quartile of providers with a published value. A gap: "
        "the value was withheld for a small sample, or too few providers had one for a "
        "benchmark."
    )
    context = "".join(f"<li>{item}</li>" for item in _context_items(report))
    body = (
        '<p class="eyebrow">Private: for your eyes only</p>'
        f"<h1>Your numbers, {escape(report.provider_name)}</h1>"
        f'<p class="lede">{escape(title)}. Your own results with context; the clinic '
        "benchmarks are the median and top quartile across providers, never a colleague's "
        "name or number. Small samples are not shown: a rate over few cases says little.</p>"
        f'<section class="cards">{cards}</section>'
        "<h2>Your trend over the quarters</h2>"
        + _figure(trend_svg, legend, "Your quarterly values against the clinic band")
        + "<h2>Context: what shapes these numbers</h2>"
        '<p class="lede">Things you do not fully control. Body contouring consults, for '
        "example, convert lower everywhere than injectables: a heavier mix of them lowers "
        "conversion without saying anything about how the consult went.</p>"
        f"<ul>{context}</ul>"
        + _mix_table(report)
        + "<footer>From marts.provider_scorecards (definitions: METRICS.md section 6). "
        f"Clinic {escape(report.clinic_id)}.</footer>"
    )
    return _page(f"Your numbers: {report.provider_name}", body)


# the owner's page --------------------------------------------------------------------------

_TOTALS = (
    ("providers", "Providers with activity", "count"),
    ("consult_slots", "Consult slots", "count"),
    ("consults_held", "Consults held", "count"),
    ("consults_mature", "Mature consults", "count"),
    ("consults_converted", "Converted consults", "count"),
    ("converted_revenue", "Converted revenue", "money"),
    ("tickets", "Tickets", "count"),
    ("ticket_revenue", "Ticket revenue", "money"),
    ("ad_spend", "Ad spend", "money"),
    ("leads", "Leads", "count"),
)


def _tile(key: str, label: str, kind: str, value) -> str:
    if value is None:
        shown = '<span class="muted">none</span>'
    else:
        text = fmt_money(value) if kind == "money" else f"{int(value):,}"
        shown = number(f"total.{key}", value, text)
    return f'<div class="tile"><h3>{escape(label)}</h3><div class="num">{shown}</div></div>'


def _team_cell(row: TeamRow, field: str, value: float | None) -> str:
    if value is None:
        return '<td class="num muted">–</td>'
    return num_cell(metric_number(f"team.{row.metric}.{field}", row.metric, value))


def _team_row(row: TeamRow, when: str) -> str:
    key = f"team.{row.metric}"
    if row.clinic_value is None and row.min_sample is not None:
        words = f"fewer than {row.min_sample} {SAMPLE_NOUNS[row.metric]} {when}: not shown"
        clinic = withheld("td", f"{key}.clinic_value", words, 'class="muted"')
    else:
        clinic = _team_cell(row, "clinic_value", row.clinic_value)
    if row.benchmark_status == "ok":
        spread = "".join(
            _team_cell(row, field, getattr(row, field))
            for field in ("clinic_median", "clinic_top_quartile", "strongest_value")
        )
        whose = (
            escape(row.strongest_provider_name)
            if row.strongest_provider_name
            else '<span class="muted">not named (opt-in)</span>'
        )
    else:
        words = f"only {row.providers_with_value} providers with a published value: not shown"
        spread = withheld("td", f"{key}.benchmark", words, 'colspan="3" class="muted"')
        whose = '<span class="muted">–</span>'
    return f"<tr><td>{escape(LABELS[row.metric])}</td>{clinic}{spread}<td>{whose}</td></tr>"


def _team_table(report: ClinicReport, when: str) -> str:
    rows = "".join(_team_row(row, when) for row in report.team)
    return (
        "<table><thead><tr><th>Practice</th><th class='num'>Whole clinic</th>"
        "<th class='num'>Median provider</th><th class='num'>Top quartile</th>"
        "<th class='num'>Strongest</th><th>Whose practice</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _routing_row(r: RoutingRow, min_consults: int | None, when: str) -> str:
    key = f"routing.{r.platform}/{r.campaign_id}/{r.provider_id}"
    if r.sample_status != "ok":
        words = f"fewer than {min_consults} mature consults {when}: not shown"
        rates = withheld("td", f"{key}.withheld", words, 'colspan="2" class="muted"')
    else:
        conversion = (
            num_cell(share_number(f"{key}.conversion_rate", r.conversion_rate))
            if r.conversion_rate is not None
            else '<td class="num muted">–</td>'
        )
        per_dollar = (
            num_cell(number(f"{key}.revenue_per_ad_dollar", ratio, f"{ratio:.2f}"))
            if (ratio := r.revenue_per_ad_dollar) is not None
            else '<td class="num muted">no spend</td>'
        )
        rates = conversion + per_dollar
    spend = (
        num_cell(number(f"{key}.allocated_spend", r.allocated_spend, fmt_money(r.allocated_spend)))
        if r.allocated_spend is not None
        else '<td class="num muted">–</td>'
    )
    return (
        f"<tr><td>{escape(r.campaign_label)}</td><td>{escape(r.provider_name)}</td>"
        + num_cell(count_number(f"{key}.attributed_consult_slots", r.attributed_consult_slots))
        + num_cell(count_number(f"{key}.consults_mature", r.consults_mature))
        + rates
        + spend
        + "</tr>"
    )


def _routing_table(report: ClinicReport, when: str) -> str:
    if not report.routing:
        return '<p class="muted">No attributed consults in this period.</p>'
    rows = "".join(_routing_row(r, report.min_consults, when) for r in report.routing)
    return (
        "<table><thead><tr><th>Campaign</th><th>Provider</th>"
        "<th class='num'>Routed consults</th><th class='num'>Mature</th>"
        "<th class='num'>Conversion</th><th class='num'>Revenue per ad dollar</th>"
        f"<th class='num'>Spend allocated</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def owner_page(
    report: ClinicReport, routing_svg: str | None, provider_links: dict[str, str]
) -> str:
    title, when = period_words(report.window)
    tiles = "".join(_tile(key, label, kind, report.totals.get(key)) for key, label, kind in _TOTALS)
    links = "".join(
        f'<li><a href="{escape(provider_links[pid])}">{escape(name)}</a></li>'
        for pid, name in report.providers
        if pid in provider_links
    )
    body = (
        '<p class="eyebrow">Owner view</p>'
        f"<h1>Clinic {escape(report.clinic_id)}</h1>"
        f'<p class="lede">{escape(title)}.</p>'
        f'<section class="tiles">{tiles}</section>'
        "<h2>Team practices: what is reachable here</h2>"
        '<p class="lede">The whole clinic pooled, and the spread across providers with a '
        "published value. Nobody is ranked; the strongest result is named only when that "
        "provider agreed (team_view_named_providers).</p>"
        + _team_table(report, when)
        + "<h2>Which campaigns route to which providers</h2>"
        '<p class="lede">A campaign\'s consults split by the provider who ran them, its spend '
        "allocated by each provider's share of those consults. Conversion and revenue per "
        "ad dollar are withheld below the minimum of mature consults: a row is about a "
        "person.</p>"
        + _figure(
            routing_svg,
            "Top: consults each campaign routed to each provider. Below, when any is shown: "
            "converted revenue per allocated ad dollar of the paid campaigns (grey: withheld "
            "for a small sample).",
            "Campaign by provider matrix",
        )
        + "<br>"
        + _routing_table(report, when)
        + "<h2>Provider pages (private: hand each provider only their own)</h2>"
        + (f'<ul class="pages">{links}</ul>' if links else '<p class="muted">None.</p>')
        + "<footer>From marts.team_practices, marts.campaign_provider_performance, "
        "marts.provider_performance and marts.campaign_performance (METRICS.md sections 5 "
        "and 6).</footer>"
    )
    return _page(f"Clinic {report.clinic_id}: owner view", body)
