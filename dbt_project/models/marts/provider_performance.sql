-- One row per provider and period (calendar_quarter, trailing_90d) in which the provider
-- has any appointment or ticket: METRICS.md section 5. Rates over fewer cases than their
-- threshold var are NULL and named in sample_status; a ratio over 0 is NULL.
{%- set conversion_rates = ['conversion_rate', 'revenue_per_consult_slot', 'revenue_per_consult_day', 'mix_adjusted_index'] %}
with

provider_periods as (
    select * from {{ ref('int_provider_periods_aggregated') }}
),

final as (
    select
        clinic_id,
        provider_id,
        period_type,
        period_start,
        period_end,
        is_complete,

        consult_slots,
        consults_held,
        consults_mature,
        consults_converted,
        {{ withhold(rate(safe_divide('consults_converted', 'consults_mature')), 'consults_mature', 'min_consults') }}
            as conversion_rate,
        {{ withhold(rate(wilson_bound('consults_converted', 'consults_mature', 'low')), 'consults_mature', 'min_consults') }}
            as conversion_ci_low,
        {{ withhold(rate(wilson_bound('consults_converted', 'consults_mature', 'high')), 'consults_mature', 'min_consults') }}
            as conversion_ci_high,
        converted_revenue,
        {{ withhold(money(safe_divide('converted_revenue', 'consult_slots_window_closed')), 'consults_mature', 'min_consults') }}
            as revenue_per_consult_slot,
        {{ withhold(money(safe_divide('converted_revenue', 'consult_days_window_closed')), 'consults_mature', 'min_consults') }}
            as revenue_per_consult_day,

        tickets,
        ticket_revenue,
        {{ withhold(money(safe_divide('ticket_revenue', 'tickets')), 'tickets', 'min_tickets') }} as avg_ticket,

        {%- for n in [90, 365] %}
        first_visits_mature_{{ n }}d,
        returned_{{ n }}d,
        {{ withhold(rate(safe_divide('returned_' ~ n ~ 'd', 'first_visits_mature_' ~ n ~ 'd')), 'first_visits_mature_' ~ n ~ 'd', 'min_cohort') }}
            as return_rate_{{ n }}d,
        {%- endfor %}

        completed_visits,
        rebooked_visits,
        {{ withhold(rate(safe_divide('rebooked_visits', 'completed_visits')), 'completed_visits', 'min_visits') }}
            as rebooking_rate,

        capacity_appointments,
        no_shows,
        {{ withhold(rate(safe_divide('no_shows', 'capacity_appointments')), 'capacity_appointments', 'min_visits') }}
            as no_show_rate,

        booked_minutes,
        shift_minutes,
        {{ rate(safe_divide('booked_minutes', 'shift_minutes')) }} as utilization,

        {{ rate('expected_conversions') }} as expected_conversions,
        {{ withhold(rate(safe_divide('consults_converted', 'expected_conversions')), 'consults_mature', 'min_consults') }}
            as mix_adjusted_index,

        {{ rate(safe_divide('new_patient_consults', 'consult_slots')) }} as share_new_patient_consults,
        {%- for category in service_categories() %}
        consults_{{ category }},
        {%- endfor %}

        {{ sample_status([
            (conversion_rates, 'consults_mature', 'min_consults'),
            (['avg_ticket'], 'tickets', 'min_tickets'),
            (['return_rate_90d'], 'first_visits_mature_90d', 'min_cohort'),
            (['return_rate_365d'], 'first_visits_mature_365d', 'min_cohort'),
            (['rebooking_rate'], 'completed_visits', 'min_visits'),
            (['no_show_rate'], 'capacity_appointments', 'min_visits'),
        ]) }} as sample_status
    from provider_periods
)

select * from final
