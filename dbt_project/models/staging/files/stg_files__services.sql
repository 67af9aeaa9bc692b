with

source as (
    {{ source_or_empty('files', 'services') }}
),

ranked as (
    select *, {{ version_rank(['service_id']) }} as _version_rank
    from source
),

latest as (
    select * from ranked where _version_rank = 1
),

final as (
    select
        {{ clean_text('service_id') }} as service_id,
        {{ clean_text('name') }} as service_name,
        {{ clean_code('category') }} as category,
        {{ to_bool('is_consultation') }} as is_consultation
    from latest
)

select * from final
