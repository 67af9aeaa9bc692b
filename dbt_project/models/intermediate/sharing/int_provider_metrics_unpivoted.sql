-- The six shared metrics of provider_performance (METRICS.md section 6), one row per
-- provider, period and metric: the published value (NULL when withheld), the numerator
-- and denominator the team view pools, and the sample its threshold applies to.
{%- set metrics = [
    {'name': 'conversion_rate', 'unit': 'share',
     'numerator': 'consults_converted', 'denominator': 'consults_mature',
     'sample': 'consults_mature', 'threshold': 'min_consults'},
    {'name': 'avg_ticket', 'unit': 'money',
     'numerator': 'ticket_revenue', 'denominator': 'tickets',
     'sample': 'tickets', 'threshold': 'min_tickets'},
    {'name': 'revenue_per_consult_slot', 'unit': 'money',
     'numerator': 'converted_revenue', 'denominator': 'consult_slots_window_closed',
     'sample': 'consults_mature', 'threshold': 'min_consults'},
    {'name': 'return_rate_90d', 'unit': 'share',
     'numerator': 'returned_90d', 'denominator': 'first_visits_mature_90d',
     'sample': 'first_visits_mature_90d', 'threshold': 'min_cohort'},
    {'name': 'rebooking_rate', 'unit': 'share',
     'numerator': 'rebooked_visits', 'denominator': 'completed_visits',
     'sample': 'completed_visits', 'threshold': 'min_visits'},
    {'name': 'utilization', 'unit': 'share',
     'numerator': 'case when shift_minutes > 0 then booked_minutes else 0 end',
     'denominator': 'shift_minutes', 'sample': none, 'threshold': none},
] %}
with

performance as (
    select * from {{ ref('provider_performance') }}
),

-- the revenue-per-slot denominator is not a column of the mart
aggregated as (
    select provider_id, period_type, period_start, consult_slots_window_closed
    from {{ ref('int_provider_periods_aggregated') }}
),

joined as (
    select
        performance.*,
        aggregated.consult_slots_window_closed
    from performance
    left join aggregated
        on aggregated.provider_id = performance.provider_id
        and aggregated.period_type = performance.period_type
        and aggregated.period_start = performance.period_start
),

unpivoted as (
    {%- for metric in metrics %}
    select
        clinic_id,
        provider_id,
        period_type,
        period_start,
        period_end,
        is_complete,
        '{{ metric.name }}' as metric,
        '{{ metric.unit }}' as unit,
        cast({{ metric.name }} as double precision) as value,
        {%- if metric.name == 'conversion_rate' %}
        cast(conversion_ci_low as double precision) as ci_low,
        cast(conversion_ci_high as double precision) as ci_high,
        {%- else %}
        cast(null as double precision) as ci_low,
        cast(null as double precision) as ci_high,
        {%- endif %}
        -- exact types, so pooled sums do not depend on row order
        cast(coalesce({{ metric.numerator }}, 0) as decimal(28, 4)) as numerator,
        cast(coalesce({{ metric.denominator }}, 0) as bigint) as denominator,
        {%- if metric.sample %}
        cast(coalesce({{ metric.sample }}, 0) as bigint) as sample_size,
        cast({{ var(metric.threshold) }} as bigint) as min_sample
        {%- else %}
        cast(null as bigint) as sample_size,
        cast(null as bigint) as min_sample
        {%- endif %}
    from joined
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
)

select * from unpivoted
