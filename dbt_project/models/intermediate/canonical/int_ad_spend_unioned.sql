-- The one door to ad_spend for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__ad_spend each.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'spend_date',
    'platform',
    'campaign_id',
    'clinic_id',
    'account_id',
    'campaign_name',
    'spend',
    'impressions',
    'clicks',
    'currency',
] %}
{%- set sources = var('canonical_sources')['ad_spend'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__ad_spend') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
