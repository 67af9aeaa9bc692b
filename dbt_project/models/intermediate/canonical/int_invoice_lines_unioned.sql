-- The one door to invoice_lines for every other model: every source that stages it (var
-- canonical_sources, from ingestion/registry.py), one stg_<source>__invoice_lines each.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
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
{%- set sources = var('canonical_sources')['invoice_lines'] %}
with
{% for source in sources %}
{{ source }} as (
    select * from {{ ref('stg_' ~ source ~ '__invoice_lines') }}
),
{% endfor %}
final as (
    {{ union_all(sources, columns) }}
)

select * from final
