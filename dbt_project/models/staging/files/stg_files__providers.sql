with

source as (
    {{ source_or_empty('files', 'providers') }}
),

locations as (
    select location_id, clinic_id from {{ staged_locations() }} as staged
),

latest as (
    {{ latest_version('source', ['provider_id']) }}
),

final as (
    select
        {{ clean_text('latest.provider_id') }} as provider_id,
        {{ clean_text('latest.location_id') }} as location_id,
        locations.clinic_id,
        {{ clean_text('latest.name') }} as provider_name,
        {{ clean_text('latest.role') }} as provider_role,
        {{ to_bool('latest.active') }} as is_active
    from latest
    left join locations on locations.location_id = {{ clean_text('latest.location_id') }}
)

select * from final
