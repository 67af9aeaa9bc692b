-- One row per appointment of every source, with the status rules of METRICS.md read from
-- one place: uses_capacity (section 2 "Consultation slot", section 5 capacity) is the
-- appointment_statuses seed's (completed, no_show, late_cancelled: the appointment held
-- a place in the schedule); booked_minutes is its length when it used capacity, else 0.
-- Every model that counts appointments by status reads these flags.
with

appointments as (
    select * from {{ ref('int_appointments_unioned') }}
),

statuses as (
    select status, uses_capacity from {{ ref('appointment_statuses') }}
),

flagged as (
    select
        appointments.*,
        appointments.status = 'completed' as is_completed,
        appointments.status = 'no_show' as is_no_show,
        coalesce(statuses.uses_capacity, false) as uses_capacity
    from appointments
    left join statuses on statuses.status = appointments.status
),

final as (
    select
        *,
        case
            when uses_capacity then {{ dbt.datediff('start_at', 'end_at', 'minute') }}
            else 0
        end as booked_minutes
    from flagged
)

select * from final
