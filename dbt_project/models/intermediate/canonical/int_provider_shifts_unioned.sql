-- The one door to provider_shifts for every other model: the file exports today; API sources
-- that land the same shape are added here with `union all`.
with

files as (
    select * from {{ ref('stg_files__provider_shifts') }}
),

final as (
    select
        shift_id,
        provider_id,
        location_id,
        clinic_id,
        start_at,
        end_at,
        start_date,
        shift_minutes
    from files
)

select * from final
