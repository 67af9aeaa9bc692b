-- The one door to invoice_lines for every other model: the file exports and Zenoti API.
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
with

files as (
    select * from {{ ref('stg_files__invoice_lines') }}
),

zenoti as (
    select * from {{ ref('stg_zenoti__invoice_lines') }}
),

final as (
    {{ union_all(['files', 'zenoti'], columns) }}
)

select * from final
