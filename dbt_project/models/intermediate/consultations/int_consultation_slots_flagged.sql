-- Consultation slots (METRICS.md section 2), one row per consultation appointment
-- with status completed, no_show or late_cancelled (it used schedule capacity) dated
-- on or before the as-of date. is_held: completed. is_mature: held on a date d with
-- d + conversion_window_days <= as_of. is_first_consult_slot: the patient's first
-- consultation slot (earliest date, then start_at, then appointment_id).
with

appointments as (
    select * from {{ ref('int_appointments_flagged') }}
),

services as (
    select service_id, category, is_consultation from {{ ref('int_services_unioned') }}
),

as_of as (
    select clinic_id, as_of_date from {{ ref('int_as_of_dates_resolved') }}
),

slots as (
    select
        appointments.appointment_id,
        appointments.clinic_id,
        appointments.location_id,
        appointments.patient_id,
        appointments.provider_id,
        appointments.service_id,
        services.category,
        appointments.status,
        appointments.is_completed,
        appointments.start_at,
        appointments.end_at,
        appointments.start_date as consult_date,
        as_of.as_of_date
    from appointments
    inner join services on services.service_id = appointments.service_id
    inner join as_of on as_of.clinic_id = appointments.clinic_id
    where services.is_consultation
        and appointments.uses_capacity
        and appointments.start_date <= as_of.as_of_date
),

final as (
    select
        appointment_id,
        clinic_id,
        location_id,
        patient_id,
        provider_id,
        service_id,
        category,
        status,
        start_at,
        end_at,
        consult_date,
        is_completed as is_held,
        is_completed
            and {{ add_days('consult_date', var('conversion_window_days')) }} <= as_of_date
            as is_mature,
        row_number() over (
            partition by patient_id
            order by consult_date, start_at, appointment_id
        ) = 1 as is_first_consult_slot
    from slots
)

select * from final
