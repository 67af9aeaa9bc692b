-- Boulevard appointments, local times at their location. updated_at is when the loader
-- last read the appointment (Boulevard gives it no change time).
with

checked as (
    select * from {{ ref('base_boulevard__appointments') }}
),

located as (
    {{ with_location('checked') }}
),

final as (
    select
        {{ clean_text('appointment_id') }} as appointment_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ clean_text('patient_id') }} as patient_id,
        {{ clean_text('provider_id') }} as provider_id,
        {{ clean_text('service_id') }} as service_id,
        {{ clean_code('status') }} as status,
        {{ local_timestamp('booked_at') }} as booked_at,
        {{ local_timestamp('start_at') }} as start_at,
        {{ local_timestamp('end_at') }} as end_at,
        {{ local_timestamp('cancelled_at') }} as cancelled_at,
        {{ local_timestamp('updated_at') }} as updated_at,
        {{ local_date('booked_at') }} as booked_date,
        {{ local_date('start_at') }} as start_date
    from located
    where _reasons = ''
)

select * from final
