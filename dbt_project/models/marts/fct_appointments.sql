-- One row per appointment (every status, upcoming bookings included), with its service
-- category, the minutes it booked, and whether it is a first visit or was rebooked.
with

appointments as (
    select * from {{ ref('int_appointments_flagged') }}
),

services as (
    select * from {{ ref('int_services_unioned') }}
),

visits as (
    select appointment_id, is_rebooked from {{ ref('int_visits_rebooked') }}
),

first_visits as (
    select first_visit_appointment_id from {{ ref('int_first_visits_returned') }}
),

final as (
    select
        appointments.appointment_id,
        appointments.clinic_id,
        appointments.location_id,
        appointments.patient_id,
        appointments.provider_id,
        appointments.service_id,
        services.category,
        coalesce(services.is_consultation, false) as is_consultation,
        appointments.status,
        appointments.booked_at,
        appointments.start_at,
        appointments.end_at,
        appointments.cancelled_at,
        appointments.booked_date,
        appointments.start_date,
        -- a BIGINT on every target (PostgreSQL's datediff gives a double)
        {{ as_count('appointments.booked_minutes') }} as booked_minutes,
        first_visits.first_visit_appointment_id is not null as is_first_visit,
        visits.is_rebooked
    from appointments
    left join services on services.service_id = appointments.service_id
    left join visits on visits.appointment_id = appointments.appointment_id
    left join first_visits on first_visits.first_visit_appointment_id = appointments.appointment_id
)

select * from final
