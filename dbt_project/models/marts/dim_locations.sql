-- One row per location, with its clinic and IANA timezone (every local date is in it).
with

locations as (
    select * from {{ ref('int_locations_unioned') }}
),

final as (
    select
        location_id,
        clinic_id,
        location_name,
        timezone
    from locations
)

select * from final
