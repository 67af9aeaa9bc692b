-- What works across the clinic, without ranking anyone: one row per clinic, period and
-- shared metric (METRICS.md section 6). clinic_value pools every provider's numerator and
-- denominator and is withheld below the metric's threshold on the pooled sample; the
-- median, top quartile and strongest value are withheld below min_benchmark_providers;
-- the strongest provider is named only when listed in team_view_named_providers.
with

provider_metrics as (
    select * from {{ ref('int_provider_metrics_unpivoted') }}
),

benchmarks as (
    select * from {{ ref('int_metric_benchmarks') }}
),

providers as (
    select provider_id, provider_name from {{ ref('dim_providers') }}
),

pooled as (
    select
        clinic_id,
        period_type,
        period_start,
        period_end,
        is_complete,
        metric,
        unit,
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        cast(sum(sample_size) as bigint) as sample_size,
        max(min_sample) as min_sample
    from provider_metrics
    group by clinic_id, period_type, period_start, period_end, is_complete, metric, unit
),

clinic_values as (
    select
        *,
        case
            when unit = 'money' then cast({{ money(safe_divide('numerator', 'denominator')) }} as double precision)
            else {{ rate(safe_divide('numerator', 'denominator')) }}
        end as pooled_value
    from pooled
),

final as (
    select
        clinic_values.clinic_id,
        clinic_values.period_type,
        clinic_values.period_start,
        clinic_values.period_end,
        clinic_values.is_complete,
        clinic_values.metric,
        -- utilization has no threshold: it is never withheld
        case
            when clinic_values.min_sample is null
                or clinic_values.sample_size >= clinic_values.min_sample
                then clinic_values.pooled_value
        end as clinic_value,
        clinic_values.sample_size,
        clinic_values.min_sample,
        benchmarks.providers_with_value,
        benchmarks.median_value as clinic_median,
        benchmarks.top_quartile_value as clinic_top_quartile,
        benchmarks.benchmark_status,
        benchmarks.strongest_value,
        providers.provider_name as strongest_provider_name
    from clinic_values
    inner join benchmarks
        on benchmarks.clinic_id = clinic_values.clinic_id
        and benchmarks.period_type = clinic_values.period_type
        and benchmarks.period_start = clinic_values.period_start
        and benchmarks.metric = clinic_values.metric
    left join providers on providers.provider_id = benchmarks.strongest_provider_id
)

select * from final
