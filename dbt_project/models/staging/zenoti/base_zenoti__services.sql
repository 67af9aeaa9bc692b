-- Every loaded Zenoti service with why staging refuses it (_reasons, '' = none): a
-- category outside the canonical set (the service_categories seed; ingestion/zenoti keeps
-- a value without a canonical meaning as `zenoti:<raw value>`, so the reason shows what
-- Zenoti sent). stg_zenoti__services keeps the good rows, stg_zenoti__quarantine the rest.
with

source as (
    {{ source_or_empty('zenoti', 'services') }}
),

categories as (
    select category from {{ ref('service_categories') }}
),

final as (
    select
        source.*,
        concat_ws('; ',
            case when categories.category is null
                then 'unknown category: ' || coalesce(source.category, '(none)')
            end
        ) as _reasons
    from source
    left join categories on categories.category = source.category
)

select * from final
