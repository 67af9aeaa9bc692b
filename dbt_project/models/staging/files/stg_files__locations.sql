with

source as (
    {{ source_or_empty('files', 'locations') }}
),

latest as (
    {{ latest_version('source', ['location_id']) }}
),

final as (
    select
        {{ clean_text('location_id') }} as location_id,
        {{ clean_text('clinic_id') }} as clinic_id,
        {{ clean_text('name') }} as location_name,
        {{ clean_text('timezone') }} as timezone
    from latest
)

select * from final
