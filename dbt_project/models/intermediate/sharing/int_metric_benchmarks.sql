-- Clinic benchmarks of each shared metric (METRICS.md section 6), one row per clinic,
-- period and metric: the median and top quartile (75th percentile, linear interpolation)
-- of the providers' published values, and the strongest one. All of them are withheld
-- ('too_few_providers') when fewer than min_benchmark_providers providers have a published
-- value, so a benchmark never reveals a colleague's number. The strongest provider is
-- only identified when listed in team_view_named_providers (opt-in).
{%- set named = var('team_view_named_providers') or [] %}
{%- if named is string %}{% set named = named.split(',') | map('trim') | list %}{% endif %}
with

provider_metrics as (
    select * from {{ ref('int_provider_metrics_unpivoted') }}
),

clinic_metrics as (
    select distinct clinic_id, period_type, period_start, metric
    from provider_metrics
),

published as (
    select * from provider_metrics
    where value is not null
),

spread as (
    select
        clinic_id,
        period_type,
        period_start,
        metric,
        count(*) as providers_with_value,
        percentile_cont(0.5) within group (order by value) as median_value,
        percentile_cont(0.75) within group (order by value) as top_quartile_value,
        max(value) as strongest_value
    from published
    group by clinic_id, period_type, period_start, metric
),

-- the opted-in providers holding the strongest value (on a tie, any of them who agreed)
strongest_named as (
    select
        published.clinic_id,
        published.period_type,
        published.period_start,
        published.metric,
        min(published.provider_id) as strongest_provider_id
    from published
    inner join spread
        on spread.clinic_id = published.clinic_id
        and spread.period_type = published.period_type
        and spread.period_start = published.period_start
        and spread.metric = published.metric
        and spread.strongest_value = published.value
    where
        {%- if named %}
        published.provider_id in ({% for provider_id in named %}'{{ provider_id | replace("'", "''") }}'{{ ', ' if not loop.last }}{% endfor %})
        {%- else %}
        1 = 0
        {%- endif %}
    group by published.clinic_id, published.period_type, published.period_start, published.metric
),

final as (
    select
        clinic_metrics.clinic_id,
        clinic_metrics.period_type,
        clinic_metrics.period_start,
        clinic_metrics.metric,
        cast(coalesce(spread.providers_with_value, 0) as bigint) as providers_with_value,
        case
            when coalesce(spread.providers_with_value, 0) >= {{ var('min_benchmark_providers') }}
                then 'ok'
            else 'too_few_providers'
        end as benchmark_status,
        {%- for column in ['median_value', 'top_quartile_value', 'strongest_value'] %}
        {{ withhold(rate('spread.' ~ column), 'spread.providers_with_value', 'min_benchmark_providers') }}
            as {{ column }},
        {%- endfor %}
        {{ withhold('strongest_named.strongest_provider_id', 'spread.providers_with_value', 'min_benchmark_providers') }}
            as strongest_provider_id
    from clinic_metrics
    left join spread
        on spread.clinic_id = clinic_metrics.clinic_id
        and spread.period_type = clinic_metrics.period_type
        and spread.period_start = clinic_metrics.period_start
        and spread.metric = clinic_metrics.metric
    left join strongest_named
        on strongest_named.clinic_id = clinic_metrics.clinic_id
        and strongest_named.period_type = clinic_metrics.period_type
        and strongest_named.period_start = clinic_metrics.period_start
        and strongest_named.metric = clinic_metrics.metric
)

select * from final
