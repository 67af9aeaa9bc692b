-- Boulevard locations, with the IANA zone Boulevard keeps for each (`tz`).
with

checked as (
    select * from {{ ref('base_boulevard__locations') }}
),

final as (
    select
        {{ clean_text('location_id') }} as location_id,
        {{ clean_text('clinic_id') }} as clinic_id,
        {{ clean_text('name') }} as location_name,
        {{ clean_text('timezone') }} as timezone
    from checked
    where _reasons = ''
)

select * from final
