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
{%- set relations = staged_relations('provider_shifts') %}
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
