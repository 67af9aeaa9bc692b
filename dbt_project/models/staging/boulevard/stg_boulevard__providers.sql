-- Boulevard staff with the clinic of their home location (the first they work at).
with

source as (
    {{ source_or_empty('boulevard', 'providers') }}
),

located as (
    {{ with_location('source') }}
),

final as (
    select
        {{ clean_text('provider_id') }} as provider_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ clean_text('name') }} as provider_name,
        {{ clean_text('role') }} as provider_role,
        active as is_active
    from located
)

select * from final
