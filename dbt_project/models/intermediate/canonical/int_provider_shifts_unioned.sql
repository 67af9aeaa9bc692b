-- The one door to provider_shifts for every other model: every source that stages it
-- (var canonical_sources, from ingestion/registry.py; today the file exports only).
{%- set columns = [
    'shift_id',
    'provider_id',
    'location_id',
    'clinic_id',
    'start_at',
    'end_at',
    'start_date',
    'shift_minutes',
] %}
{%- set sources = var('canonical_sources')['provider_shifts'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__provider_shifts') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
