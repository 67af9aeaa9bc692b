-- First visits and returns (METRICS.md section 2), one row per patient with a completed
-- appointment on or before the as-of date. The first visit is the earliest completed
-- appointment of any service (ties: earlier start_at, then smaller appointment_id); its
-- provider is the first provider. returned_<N>d: another completed appointment dated in
-- (first visit date, first visit date + N]; is_mature_<N>d: first visit date + N <= as_of.
{%- set return_windows = [90, 365] %}
with

appointments as (
    select * from {{ ref('int_appointments_unioned') }}
),

as_of as (
    select clinic_id, as_of_date from {{ ref('int_as_of_dates_resolved') }}
),

completed_visits as (
    select
        appointments.appointment_id,
        appointments.clinic_id,
        appointments.patient_id,
        appointments.provider_id,
        appointments.start_at,
        appointments.start_date,
        as_of.as_of_date
    from appointments
    inner join as_of on as_of.clinic_id = appointments.clinic_id
    where appointments.status = 'completed'
        and appointments.start_date <= as_of.as_of_date
),

ranked as (
    select
        *,
        row_number() over (
            partition by patient_id
            order by start_date, start_at, appointment_id
        ) as visit_rank
    from completed_visits
),

first_visits as (
    select
        patient_id,
        clinic_id,
        appointment_id as first_visit_appointment_id,
        start_date as first_visit_date,
        provider_id as first_provider_id,
        as_of_date
    from ranked
    where visit_rank = 1
),

returns as (
    select
        first_visits.patient_id,
        {%- for n in return_windows %}
        max(case
            when completed_visits.start_date <= {{ add_days('first_visits.first_visit_date', n) }}
                then 1 else 0
        end) = 1 as returned_{{ n }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from first_visits
    inner join completed_visits
        on completed_visits.patient_id = first_visits.patient_id
        and completed_visits.start_date > first_visits.first_visit_date
        and completed_visits.start_date <= {{ add_days('first_visits.first_visit_date', return_windows | max) }}
    group by first_visits.patient_id
),

final as (
    select
        first_visits.patient_id,
        first_visits.clinic_id,
        first_visits.first_visit_appointment_id,
        first_visits.first_visit_date,
        first_visits.first_provider_id,
        {%- for n in return_windows %}
        {{ add_days('first_visits.first_visit_date', n) }} <= first_visits.as_of_date as is_mature_{{ n }}d,
        coalesce(returns.returned_{{ n }}d, false) as returned_{{ n }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from first_visits
    left join returns on returns.patient_id = first_visits.patient_id
)

select * from final
