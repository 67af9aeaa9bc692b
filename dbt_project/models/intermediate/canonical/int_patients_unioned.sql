-- The one door to patients for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__patients each.
-- Each source's staging model has these columns and types; a source never loaded adds no
-- rows (staged_relations). The key tests (_canonical__models.yml) check that two
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
{%- set relations = staged_relations('patients') %}
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
