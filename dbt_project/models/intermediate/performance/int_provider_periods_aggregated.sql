-- The counts and sums behind provider_performance, one row per (provider, period) in
-- which the provider has any appointment (any status) or ticket. Every event belongs to
-- the period holding its own local date (METRICS.md section 3); in the trailing_90d row
-- the return cohorts are the first visits of the 90 dates ending on as_of - N. The mart
-- turns these into rates and withholds small samples.
{%- set return_windows = [90, 365] %}
{%- set metric_ctes = ['consult_metrics', 'ticket_metrics', 'appointment_metrics', 'shift_metrics'] %}
{%- for n in return_windows %}{% do metric_ctes.append('cohort_' ~ n ~ 'd_metrics') %}{% endfor %}
with

periods as (
    select * from {{ ref('int_periods_spanned') }}
),

providers as (
    select provider_id, clinic_id from {{ ref('int_providers_unioned') }}
),

appointments as (
    select * from {{ ref('int_appointments_flagged') }}
),

visits as (
    select appointment_id, is_rebooked from {{ ref('int_visits_rebooked') }}
),

consults as (
    select * from {{ ref('int_consultations_converted') }}
),

tickets as (
    select * from {{ ref('int_tickets_summed') }}
),

first_visits as (
    select * from {{ ref('int_first_visits_returned') }}
),

provider_shifts as (
    select * from {{ ref('int_provider_shifts_unioned') }}
),

-- consultations ------------------------------------------------------------------------

consults_in_periods as (
    select
        periods.period_type,
        periods.period_start,
        consults.*,
        -- its conversion window has closed (the slot-based revenue denominators)
        consults.consult_date
            <= {{ add_days('periods.as_of_date', -var('conversion_window_days')) }}
            as is_window_closed
    from consults
    inner join periods
        on periods.clinic_id = consults.clinic_id
        and {{ in_period('consults.consult_date') }}
),

clinic_category_rates as (
    select
        clinic_id,
        period_type,
        period_start,
        category,
        {{ safe_divide(count_if('is_converted'), count_if('is_mature')) }} as clinic_conversion_rate
    from consults_in_periods
    group by clinic_id, period_type, period_start, category
),

consult_metrics as (
    select
        consults_in_periods.provider_id,
        consults_in_periods.period_type,
        consults_in_periods.period_start,
        count(*) as consult_slots,
        {{ count_if('consults_in_periods.is_held') }} as consults_held,
        {{ count_if('consults_in_periods.is_mature') }} as consults_mature,
        {{ count_if('consults_in_periods.is_converted') }} as consults_converted,
        sum(consults_in_periods.converted_revenue) as converted_revenue,
        {{ count_if('consults_in_periods.is_window_closed') }} as consult_slots_window_closed,
        count(distinct case
            when consults_in_periods.is_window_closed then consults_in_periods.consult_date
        end) as consult_days_window_closed,
        -- summed as decimals: a sum of doubles depends on the order rows arrive in,
        -- and a rerun on the same inputs must give the same number
        cast(sum(case
            when consults_in_periods.is_mature
                then cast(clinic_category_rates.clinic_conversion_rate as decimal(28, 12))
            else 0
        end) as double precision) as expected_conversions,
        {{ count_if('consults_in_periods.is_first_consult_slot') }} as new_patient_consults,
        {%- for category in service_categories() %}
        {{ count_if("consults_in_periods.category = '" ~ category ~ "'") }} as consults_{{ category }}{{ ',' if not loop.last }}
        {%- endfor %}
    from consults_in_periods
    left join clinic_category_rates
        on clinic_category_rates.clinic_id = consults_in_periods.clinic_id
        and clinic_category_rates.period_type = consults_in_periods.period_type
        and clinic_category_rates.period_start = consults_in_periods.period_start
        and clinic_category_rates.category = consults_in_periods.category
    group by
        consults_in_periods.provider_id,
        consults_in_periods.period_type,
        consults_in_periods.period_start
),

-- appointments -------------------------------------------------------------------------

appointment_metrics as (
    select
        appointments.provider_id,
        periods.period_type,
        periods.period_start,
        count(*) as appointments,
        {{ count_if('appointments.is_completed') }} as completed_visits,
        {{ count_if('visits.is_rebooked') }} as rebooked_visits,
        -- capacity: appointments that held a place in the schedule, of any service
        {{ count_if('appointments.uses_capacity') }}
            as capacity_appointments,
        {{ count_if('appointments.is_no_show') }} as no_shows,
        sum(appointments.booked_minutes) as booked_minutes
    from appointments
    inner join periods
        on periods.clinic_id = appointments.clinic_id
        and {{ in_period('appointments.start_date') }}
    left join visits on visits.appointment_id = appointments.appointment_id
    where appointments.provider_id is not null
    group by appointments.provider_id, periods.period_type, periods.period_start
),

-- tickets ----------------------------------------------------------------------------

ticket_metrics as (
    select
        tickets.provider_id,
        periods.period_type,
        periods.period_start,
        count(*) as tickets,
        sum(tickets.ticket_net) as ticket_revenue
    from tickets
    inner join periods
        on periods.clinic_id = tickets.clinic_id
        and {{ in_period('tickets.ticket_date') }}
    group by tickets.provider_id, periods.period_type, periods.period_start
),

-- return cohorts by first provider -------------------------------------------------------

{%- for n in return_windows %}

cohort_{{ n }}d_metrics as (
    select
        first_visits.first_provider_id as provider_id,
        periods.period_type,
        periods.period_start,
        {{ count_if('first_visits.is_mature_' ~ n ~ 'd') }} as first_visits_mature_{{ n }}d,
        {{ count_if('first_visits.is_mature_' ~ n ~ 'd and first_visits.returned_' ~ n ~ 'd') }}
            as returned_{{ n }}d
    from first_visits
    inner join periods
        on periods.clinic_id = first_visits.clinic_id
        and {{ in_period('first_visits.first_visit_date', trailing_shift_days=n) }}
    group by first_visits.first_provider_id, periods.period_type, periods.period_start
),
{%- endfor %}

-- capacity -------------------------------------------------------------------------------

shift_metrics as (
    select
        provider_shifts.provider_id,
        periods.period_type,
        periods.period_start,
        sum(provider_shifts.shift_minutes) as shift_minutes
    from provider_shifts
    inner join periods
        on periods.clinic_id = provider_shifts.clinic_id
        and {{ in_period('provider_shifts.start_date') }}
    group by provider_shifts.provider_id, periods.period_type, periods.period_start
),

-- one row per provider with an appointment or a ticket in the period ----------------------

provider_periods as (
    select provider_id, period_type, period_start from appointment_metrics
    union
    select provider_id, period_type, period_start from ticket_metrics
),

final as (
    select
        providers.clinic_id,
        provider_periods.provider_id,
        provider_periods.period_type,
        provider_periods.period_start,
        periods.period_end,
        periods.is_complete,
        periods.as_of_date,
        coalesce(consult_metrics.consult_slots, 0) as consult_slots,
        coalesce(consult_metrics.consults_held, 0) as consults_held,
        coalesce(consult_metrics.consults_mature, 0) as consults_mature,
        coalesce(consult_metrics.consults_converted, 0) as consults_converted,
        {{ money('coalesce(consult_metrics.converted_revenue, 0)', 4) }} as converted_revenue,
        coalesce(consult_metrics.consult_slots_window_closed, 0) as consult_slots_window_closed,
        coalesce(consult_metrics.consult_days_window_closed, 0) as consult_days_window_closed,
        coalesce(consult_metrics.expected_conversions, 0) as expected_conversions,
        coalesce(consult_metrics.new_patient_consults, 0) as new_patient_consults,
        {%- for category in service_categories() %}
        coalesce(consult_metrics.consults_{{ category }}, 0) as consults_{{ category }},
        {%- endfor %}
        coalesce(ticket_metrics.tickets, 0) as tickets,
        {{ money('coalesce(ticket_metrics.ticket_revenue, 0)', 4) }} as ticket_revenue,
        {%- for n in return_windows %}
        coalesce(cohort_{{ n }}d_metrics.first_visits_mature_{{ n }}d, 0) as first_visits_mature_{{ n }}d,
        coalesce(cohort_{{ n }}d_metrics.returned_{{ n }}d, 0) as returned_{{ n }}d,
        {%- endfor %}
        coalesce(appointment_metrics.appointments, 0) as appointments,
        coalesce(appointment_metrics.completed_visits, 0) as completed_visits,
        coalesce(appointment_metrics.rebooked_visits, 0) as rebooked_visits,
        coalesce(appointment_metrics.capacity_appointments, 0) as capacity_appointments,
        coalesce(appointment_metrics.no_shows, 0) as no_shows,
        coalesce(appointment_metrics.booked_minutes, 0) as booked_minutes,
        coalesce(shift_metrics.shift_minutes, 0) as shift_minutes
    from provider_periods
    inner join providers on providers.provider_id = provider_periods.provider_id
    left join periods
        on periods.clinic_id = providers.clinic_id
        and periods.period_type = provider_periods.period_type
        and periods.period_start = provider_periods.period_start
    {%- for cte in metric_ctes %}
    left join {{ cte }}
        on {{ cte }}.provider_id = provider_periods.provider_id
        and {{ cte }}.period_type = provider_periods.period_type
        and {{ cte }}.period_start = provider_periods.period_start
    {%- endfor %}
)

select * from final
