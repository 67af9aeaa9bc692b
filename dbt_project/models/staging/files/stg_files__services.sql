with

source as (
    {{ source_or_empty('files', 'services') }}
),

latest as (
    {{ latest_version('source', ['service_id']) }}
),

final as (
    select
        {{ clean_text('service_id') }} as service_id,
        {{ clean_text('name') }} as service_name,
        lower({{ clean_text('category') }}) as category,
        {{ to_bool('is_consultation') }} as is_consultation
    from latest
)

select * from final
