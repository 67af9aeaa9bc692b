-- One row per provider and period (calendar_quarter, trailing_90d) in which the provider
-- has any appointment or ticket: METRICS.md section 5. Rates over fewer cases than their
-- threshold var are NULL and named in sample_status; a ratio over 0 is NULL. Names (the
-- provider's and their home location's) sit beside the ids for people reading the table.
{%- set conversion_rates = ['conversion_rate', 'revenue_per_consult_slot', 'revenue_per_consult_day', 'mix_adjusted_index'] %}
with

provider_periods as (
    select * from {{ ref('int_provider_periods_aggregated') }}
),

providers as (
    select provider_id, provider_name, location_id from {{ ref('dim_providers') }}
),

locations as (
    select location_id, location_name from {{ ref('dim_locations') }}
),

final as (
    select
        provider_periods.clinic_id,
        provider_periods.provider_id,
        providers.provider_name,
        providers.location_id,
        locations.location_name,
        period_type,
        period_start,
        period_end,
        is_complete,

        {{ as_count('consult_slots') }} as consult_slots,
        {{ as_count('consults_held') }} as consults_held,
        {{ as_count('consults_mature') }} as consults_mature,
        {{ as_count('consults_converted') }} as consults_converted,
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

        {{ as_count('tickets') }} as tickets,
        ticket_revenue,
        {{ withhold(money(safe_divide('ticket_revenue', 'tickets')), 'tickets', 'min_tickets') }} as avg_ticket,

        {%- for n in [90, 365] %}
        {{ as_count('first_visits_mature_' ~ n ~ 'd') }} as first_visits_mature_{{ n }}d,
        {{ as_count('returned_' ~ n ~ 'd') }} as returned_{{ n }}d,
        {{ withhold(rate(safe_divide('returned_' ~ n ~ 'd', 'first_visits_mature_' ~ n ~ 'd')), 'first_visits_mature_' ~ n ~ 'd', 'min_cohort') }}
            as return_rate_{{ n }}d,
        {%- endfor %}

        {{ as_count('completed_visits') }} as completed_visits,
        {{ as_count('rebooked_visits') }} as rebooked_visits,
        {{ withhold(rate(safe_divide('rebooked_visits', 'completed_visits')), 'completed_visits', 'min_visits') }}
            as rebooking_rate,

        {{ as_count('capacity_appointments') }} as capacity_appointments,
        {{ as_count('no_shows') }} as no_shows,
        {{ withhold(rate(safe_divide('no_shows', 'capacity_appointments')), 'capacity_appointments', 'min_visits') }}
            as no_show_rate,

        {{ as_count('booked_minutes') }} as booked_minutes,
        {{ as_count('shift_minutes') }} as shift_minutes,
        {{ rate(safe_divide('booked_minutes', 'shift_minutes')) }} as utilization,

        {{ rate('expected_conversions') }} as expected_conversions,
        {{ withhold(rate(safe_divide('consults_converted', 'expected_conversions')), 'consults_mature', 'min_consults') }}
            as mix_adjusted_index,

        {{ rate(safe_divide('new_patient_consults', 'consult_slots')) }} as share_new_patient_consults,
        {%- for category in service_categories() %}
        {{ as_count('consults_' ~ category) }} as consults_{{ category }},
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
    left join providers on providers.provider_id = provider_periods.provider_id
    left join locations on locations.location_id = providers.location_id
)

select * from final
