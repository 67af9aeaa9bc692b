with

source as (
    {{ source_or_empty('files', 'provider_shifts') }}
),

located as (
    {{ with_location('source') }}
),

latest as (
    {{ latest_version('located', ['trim(shift_id)']) }}
),

localized as (
    select
        {{ clean_text('shift_id') }} as shift_id,
        {{ clean_text('provider_id') }} as provider_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ local_timestamp('start_at') }} as start_at,
        {{ local_timestamp('end_at') }} as end_at
    from latest
),

final as (
    select
        *,
        cast(start_at as date) as start_date,
        {{ dbt.datediff('start_at', 'end_at', 'minute') }} as shift_minutes
    from localized
)

select * from final
