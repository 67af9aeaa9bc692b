"""The pages people open, rendered from the marts: one private page per provider (their
own numbers against clinic benchmarks, with context) and one owner page per clinic (team
practices, campaign -> provider routing). Self-contained HTML, charts as inline SVG.

data.py reads the marts read-only into plain objects, charts.py draws them offline
(Vega-Altair + vl-convert), pages.py writes the HTML, render.py puts files in place.
periods.py parses the period a report shows.
"""
