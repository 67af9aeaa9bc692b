-- Boulevard staff with the clinic of their home location (the first they work at).
with

source as (
    {{ source_or_empty('boulevard', 'providers') }}
),

locations as (
    select location_id, clinic_id from {{ staged_locations() }} as staged
),

final as (
    select
        {{ clean_text('source.provider_id') }} as provider_id,
        {{ clean_text('source.location_id') }} as location_id,
        locations.clinic_id,
        {{ clean_text('source.name') }} as provider_name,
        {{ clean_text('source.role') }} as provider_role,
        source.active as is_active
    from source
    left join locations on locations.location_id = {{ clean_text('source.location_id') }}
)

select * from final
