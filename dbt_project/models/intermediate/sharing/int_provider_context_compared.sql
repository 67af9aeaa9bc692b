-- What a provider does not control, beside the clinic (METRICS.md section 6), one row per
-- row of provider_performance: the consult mix by category against the clinic's mix, the
-- share of new-patient consults, the mix-adjusted index, and the average scheduled
-- minutes of the provider's consultation slots against the clinic median. The median
-- over providers is withheld below min_benchmark_providers, like every benchmark.
with

performance as (
    select * from {{ ref('provider_performance') }}
),

periods as (
    select * from {{ ref('int_periods_spanned') }}
),

consults as (
    select clinic_id, provider_id, consult_date, start_at, end_at
    from {{ ref('int_consultations_converted') }}
),

consult_minutes as (
    select
        consults.provider_id,
        periods.period_type,
        periods.period_start,
        avg(cast({{ dbt.datediff('consults.start_at', 'consults.end_at', 'minute') }} as double precision))
            as avg_consult_minutes
    from consults
    inner join periods
        on periods.clinic_id = consults.clinic_id
        and {{ in_period('consults.consult_date') }}
    group by consults.provider_id, periods.period_type, periods.period_start
),

provider_periods as (
    select
        performance.*,
        consult_minutes.avg_consult_minutes
    from performance
    left join consult_minutes
        on consult_minutes.provider_id = performance.provider_id
        and consult_minutes.period_type = performance.period_type
        and consult_minutes.period_start = performance.period_start
),

clinic_periods as (
    select
        clinic_id,
        period_type,
        period_start,
        {%- for category in service_categories() %}
        {{ safe_divide('sum(consults_' ~ category ~ ')', 'sum(consult_slots)') }} as clinic_consult_share_{{ category }},
        {%- endfor %}
        count(avg_consult_minutes) as providers_with_consult_minutes,
        percentile_cont(0.5) within group (order by avg_consult_minutes) as median_consult_minutes
    from provider_periods
    group by clinic_id, period_type, period_start
),

final as (
    select
        provider_periods.clinic_id,
        provider_periods.provider_id,
        provider_periods.period_type,
        provider_periods.period_start,
        provider_periods.share_new_patient_consults,
        provider_periods.mix_adjusted_index,
        {{ rate('provider_periods.avg_consult_minutes') }} as avg_consult_minutes,
        {{ withhold(rate('clinic_periods.median_consult_minutes'), 'clinic_periods.providers_with_consult_minutes', 'min_benchmark_providers') }}
            as clinic_median_consult_minutes,
        {%- for category in service_categories() %}
        {{ rate(safe_divide('provider_periods.consults_' ~ category, 'provider_periods.consult_slots')) }}
            as consult_share_{{ category }},
        {{ rate('clinic_periods.clinic_consult_share_' ~ category) }} as clinic_consult_share_{{ category }}{{ ',' if not loop.last }}
        {%- endfor %}
    from provider_periods
    inner join clinic_periods
        on clinic_periods.clinic_id = provider_periods.clinic_id
        and clinic_periods.period_type = provider_periods.period_type
        and clinic_periods.period_start = provider_periods.period_start
)

select * from final
