with

source as (
    {{ source_or_empty('files', 'locations') }}
),

ranked as (
    select *, {{ version_rank(['location_id']) }} as _version_rank
    from source
),

latest as (
    select * from ranked where _version_rank = 1
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
