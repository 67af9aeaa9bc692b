-- A provider's own numbers with context, one row per row of provider_performance and
-- shared metric (METRICS.md section 6): the value (NULL when withheld) with its sample,
-- the provider's own previous calendar quarter, the clinic median and top quartile
-- (withheld below min_benchmark_providers), and context the provider does not control.
-- No column names or ranks a colleague.
with

provider_metrics as (
    select * from {{ ref('int_provider_metrics_unpivoted') }}
),

benchmarks as (
    select * from {{ ref('int_metric_benchmarks') }}
),

context as (
    select * from {{ ref('int_provider_context_compared') }}
),

final as (
    select
        provider_metrics.clinic_id,
        provider_metrics.provider_id,
        provider_metrics.period_type,
        provider_metrics.period_start,
        provider_metrics.period_end,
        provider_metrics.is_complete,
        provider_metrics.metric,
        provider_metrics.value,
        provider_metrics.ci_low,
        provider_metrics.ci_high,
        provider_metrics.sample_size,
        provider_metrics.min_sample,
        previous.value as previous_value,
        benchmarks.median_value as clinic_median,
        benchmarks.top_quartile_value as clinic_top_quartile,
        benchmarks.benchmark_status,
        context.share_new_patient_consults,
        context.mix_adjusted_index,
        context.avg_consult_minutes,
        context.clinic_median_consult_minutes,
        {%- for category in service_categories() %}
        context.consult_share_{{ category }},
        context.clinic_consult_share_{{ category }}{{ ',' if not loop.last }}
        {%- endfor %}
    from provider_metrics
    inner join benchmarks
        on benchmarks.clinic_id = provider_metrics.clinic_id
        and benchmarks.period_type = provider_metrics.period_type
        and benchmarks.period_start = provider_metrics.period_start
        and benchmarks.metric = provider_metrics.metric
    inner join context
        on context.provider_id = provider_metrics.provider_id
        and context.period_type = provider_metrics.period_type
        and context.period_start = provider_metrics.period_start
    -- the provider's own previous calendar quarter (none for trailing_90d)
    left join provider_metrics as previous
        on provider_metrics.period_type = 'calendar_quarter'
        and previous.period_type = 'calendar_quarter'
        and previous.provider_id = provider_metrics.provider_id
        and previous.metric = provider_metrics.metric
        and previous.period_start
            = cast({{ dbt.dateadd('month', -3, 'provider_metrics.period_start') }} as date)
)

select * from final
