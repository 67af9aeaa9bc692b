-- The one door to leads for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__leads each.
-- Each source's staging model has these columns and types; a source never loaded adds no
-- rows (staged_relations). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'lead_id',
    'clinic_id',
    'created_at',
    'created_date',
    'email_hash',
    'phone_hash',
    'platform',
    'campaign_id',
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'gclid',
    'fbclid',
] %}
{%- set relations = staged_relations('leads') %}
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
