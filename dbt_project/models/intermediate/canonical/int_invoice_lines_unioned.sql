-- The one door to invoice_lines for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__invoice_lines each.
-- Each source's staging model has these columns and types; a source never loaded adds no
-- rows (staged_relations). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'line_id',
    'invoice_id',
    'location_id',
    'clinic_id',
    'patient_id',
    'provider_id',
    'appointment_id',
    'service_id',
    'item_type',
    'quantity',
    'unit_price',
    'discount',
    'tax',
    'tip',
    'invoice_status',
    'issued_at',
    'issued_date',
    'refund_of_line_id',
    'updated_at',
] %}
{%- set relations = staged_relations('invoice_lines') %}
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
