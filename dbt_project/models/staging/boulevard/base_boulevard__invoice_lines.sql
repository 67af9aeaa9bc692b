-- Every loaded Boulevard order line with why staging refuses it (_reasons, '' = none): a
-- line type without a canonical item_type (the item_types seed), or a line nobody can be
-- credited for (no client, no staff, no date).
{{ config(materialized='view') }}
{%- set checks = [
    unknown_value_check('item_type', 'item_types'),
    missing_value_check('patient_id'),
    missing_value_check('provider_id'),
    missing_value_check('issued_at'),
] %}
with

source as (
    {{ source_or_empty('boulevard', 'invoice_lines') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
