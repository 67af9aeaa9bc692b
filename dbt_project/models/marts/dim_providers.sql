-- One row per provider; clinic_id is the clinic of the home location.
with

providers as (
    select * from {{ ref('int_providers_unioned') }}
),

final as (
    select
        provider_id,
        clinic_id,
        location_id,
        provider_name,
        provider_role,
        is_active
    from providers
)

select * from final
