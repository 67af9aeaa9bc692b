-- Every loaded Zenoti invoice line with why staging refuses it (_reasons, '' = none): an
-- item type or invoice status outside the canonical sets (the item_types and
-- invoice_statuses seeds; an unmapped Zenoti value arrives as `zenoti:<raw value>`), or a
-- missing patient, provider or issue time. stg_zenoti__invoice_lines keeps the good rows,
-- stg_zenoti__quarantine lists the others.
{%- set checks = [
    unknown_value_check('item_type', 'item_types'),
    unknown_value_check('invoice_status', 'invoice_statuses'),
    missing_value_check('patient_id'),
    missing_value_check('provider_id'),
    missing_value_check('issued_at'),
] %}
with

source as (
    {{ source_or_empty('zenoti', 'invoice_lines') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
