-- The one door to ad_spend for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__ad_spend each.
-- Each source's staging model has these columns and types; a source never loaded adds no
-- rows (staged_relations). The key tests (_canonical__models.yml) check that two
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
{%- set relations = staged_relations('ad_spend') %}
with
{% for source, relation in relations %}
{{ source }} as (
    select * from {{ relation }}
),
{% endfor %}
final as (
    {{ union_all(relations | map('first') | list, columns) }}
)

select * from final
