-- The one door to appointments for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__appointments each.
-- Each source's staging model has these columns and types; a source never loaded adds no
-- rows (staged_relations). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'appointment_id',
    'location_id',
    'clinic_id',
    'patient_id',
    'provider_id',
    'service_id',
    'status',
    'booked_at',
    'start_at',
    'end_at',
    'cancelled_at',
    'updated_at',
    'booked_date',
    'start_date',
] %}
{%- set relations = staged_relations('appointments') %}
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
