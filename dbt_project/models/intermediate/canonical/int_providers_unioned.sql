-- The one door to providers for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__providers each.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'provider_id',
    'location_id',
    'clinic_id',
    'provider_name',
    'provider_role',
    'is_active',
] %}
{%- set sources = var('canonical_sources')['providers'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__providers') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
