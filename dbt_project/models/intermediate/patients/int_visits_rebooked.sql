-- Rebooked visits (METRICS.md section 2), one row per completed appointment dated on or
-- before the as-of date. is_rebooked: the same patient has an appointment (any status)
-- that starts after this one ends and was booked on this visit's local date, at or after
-- its start. The rebooking itself may start after the as-of date: it is judged by the
-- day it was booked. Dates are each row's local date; times are compared as instants,
-- since the two appointments may be at locations in different zones.
with

appointments as (
    select * from {{ ref('int_appointments_unioned') }}
),

locations as (
    select location_id, timezone from {{ ref('int_locations_unioned') }}
),

appointment_instants as (
    select
        appointments.appointment_id,
        appointments.clinic_id,
        appointments.patient_id,
        appointments.booked_date,
        {{ local_to_instant('appointments.booked_at', 'locations.timezone') }} as booked_instant,
        {{ local_to_instant('appointments.start_at', 'locations.timezone') }} as start_instant
    from appointments
    inner join locations on locations.location_id = appointments.location_id
),

as_of as (
    select clinic_id, as_of_date from {{ ref('int_as_of_dates_resolved') }}
),

visits as (
    select
        appointments.appointment_id,
        appointments.clinic_id,
        appointments.location_id,
        appointments.patient_id,
        appointments.provider_id,
        appointments.start_date as visit_date,
        {{ local_to_instant('appointments.start_at', 'locations.timezone') }} as start_instant,
        {{ local_to_instant('appointments.end_at', 'locations.timezone') }} as end_instant
    from appointments
    inner join as_of on as_of.clinic_id = appointments.clinic_id
    inner join locations on locations.location_id = appointments.location_id
    where appointments.status = 'completed'
        and appointments.start_date <= as_of.as_of_date
),

rebooked as (
    select distinct visits.appointment_id
    from visits
    inner join appointment_instants as next_appointments
        on next_appointments.clinic_id = visits.clinic_id
        and next_appointments.patient_id = visits.patient_id
        and next_appointments.booked_date = visits.visit_date
        and next_appointments.booked_instant >= visits.start_instant
        and next_appointments.start_instant > visits.end_instant
        and next_appointments.appointment_id <> visits.appointment_id
),

final as (
    select
        visits.appointment_id,
        visits.clinic_id,
        visits.location_id,
        visits.patient_id,
        visits.provider_id,
        visits.visit_date,
        rebooked.appointment_id is not null as is_rebooked
    from visits
    left join rebooked on rebooked.appointment_id = visits.appointment_id
)

select * from final
