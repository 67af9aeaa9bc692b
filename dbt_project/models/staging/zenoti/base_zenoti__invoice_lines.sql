-- Every loaded Zenoti invoice line with why staging refuses it (_reasons, '' = none): an
-- item type or invoice status outside the canonical sets (the item_types and
-- invoice_statuses seeds; an unmapped Zenoti value arrives as `zenoti:<raw value>`), or a
-- missing patient, provider or issue time. stg_zenoti__invoice_lines keeps the good rows,
-- stg_zenoti__quarantine lists the others.
with

source as (
    {{ source_or_empty('zenoti', 'invoice_lines') }}
),

item_types as (
    select item_type from {{ ref('item_types') }}
),

invoice_statuses as (
    select invoice_status from {{ ref('invoice_statuses') }}
),

final as (
    select
        source.*,
        concat_ws('; ',
            case when item_types.item_type is null
                then 'unknown item_type: ' || coalesce(source.item_type, '(none)')
            end,
            case when invoice_statuses.invoice_status is null
                then 'unknown invoice_status: ' || coalesce(source.invoice_status, '(none)')
            end,
            case when source.patient_id is null then 'missing value in patient_id' end,
            case when source.provider_id is null then 'missing value in provider_id' end,
            case when source.issued_at is null then 'missing value in issued_at' end
        ) as _reasons
    from source
    left join item_types on item_types.item_type = source.item_type
    left join invoice_statuses on invoice_statuses.invoice_status = source.invoice_status
)

select * from final
