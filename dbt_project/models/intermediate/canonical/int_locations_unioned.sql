-- The one door to locations for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__locations each.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'location_id',
    'clinic_id',
    'location_name',
    'timezone',
] %}
{%- set sources = var('canonical_sources')['locations'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__locations') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
