-- The one door to services for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__services each.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'service_id',
    'service_name',
    'category',
    'is_consultation',
] %}
{%- set sources = var('canonical_sources')['services'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__services') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
