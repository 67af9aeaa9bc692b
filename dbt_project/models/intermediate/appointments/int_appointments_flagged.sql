-- One row per appointment of every source, with the status rules of METRICS.md written
-- once (section 2 "Consultation slot", section 5 capacity): uses_capacity, the
-- appointment held a place in the schedule (completed, no_show or late_cancelled);
-- booked_minutes, its length when it used capacity, else 0. Every model that counts
-- appointments by status reads these flags instead of restating the lists.
with

appointments as (
    select * from {{ ref('int_appointments_unioned') }}
),

flagged as (
    select
        *,
        status = 'completed' as is_completed,
        status = 'no_show' as is_no_show,
        status in ('completed', 'no_show', 'late_cancelled') as uses_capacity
    from appointments
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
