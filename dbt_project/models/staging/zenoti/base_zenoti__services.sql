-- Every loaded Zenoti service with why staging refuses it (_reasons, '' = none): a
-- category outside the canonical set (the service_categories seed; ingestion/zenoti keeps
-- a value without a canonical meaning as `zenoti:<raw value>`, so the reason shows what
-- Zenoti sent). stg_zenoti__services keeps the good rows, stg_zenoti__quarantine the rest.
{%- set checks = [unknown_value_check('category', 'service_categories')] %}
with

source as (
    {{ source_or_empty('zenoti', 'services') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
