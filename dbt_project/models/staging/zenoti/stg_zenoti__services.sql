-- Zenoti services with the canonical category ingestion/zenoti mapped; a category outside
-- the canonical set (from sources.zenoti.category_map) goes to stg_zenoti__quarantine.
with

checked as (
    select * from {{ ref('base_zenoti__services') }}
),

final as (
    select
        {{ clean_text('service_id') }} as service_id,
        {{ clean_text('name') }} as service_name,
        {{ clean_code('category') }} as category,
        is_consultation
    from checked
    where _reasons = ''
)

select * from final
