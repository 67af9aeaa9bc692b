-- The one door to appointments for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__appointments each.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
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
{%- set sources = var('canonical_sources')['appointments'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__appointments') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
