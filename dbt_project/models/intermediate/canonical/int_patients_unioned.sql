-- The one door to patients for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__patients each.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'patient_id',
    'location_id',
    'clinic_id',
    'created_at',
    'created_date',
    'email_hash',
    'phone_hash',
    'referral_source',
] %}
{%- set sources = var('canonical_sources')['patients'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__patients') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
