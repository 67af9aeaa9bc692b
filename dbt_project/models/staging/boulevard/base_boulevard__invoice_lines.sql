-- Every loaded Boulevard order line with why staging refuses it (_reasons, '' = none): a
-- line type without a canonical item_type (the item_types seed), or a line nobody can be
-- credited for (no client, no staff, no date).
{{ config(materialized='view') }}
with

source as (
    {{ source_or_empty('boulevard', 'invoice_lines') }}
),

item_types as (
    select item_type from {{ ref('item_types') }}
),

final as (
    select
        source.*,
        concat_ws('; ',
            case when item_types.item_type is null
                then 'unknown item_type: ' || coalesce(source.item_type, '(none)')
            end,
            case when source.patient_id is null then 'missing value in patient_id' end,
            case when source.provider_id is null then 'missing value in provider_id' end,
            case when source.issued_at is null then 'missing value in issued_at' end
        ) as _reasons
    from source
    left join item_types on item_types.item_type = source.item_type
)

select * from final
