-- campaign_provider_performance's calendar quarters as MetricFlow reads them. A row is
-- about a person, so its revenue per ad dollar counts only where the mart publishes it
-- (METRICS.md section 5): a withheld row's revenue and allocated spend are 0 here, and
-- the metric is NULL for that provider and campaign.
with

campaign_provider_quarters as (
    select * from {{ ref('campaign_provider_performance') }}
    where period_type = 'calendar_quarter'
),

final as (
    select
        {{ dbt.concat(["clinic_id", "'/'", "platform", "'/'", "campaign_id", "'/'", "provider_id", "'/'", dbt.cast("period_start", dbt.type_string())]) }}
            as campaign_provider_quarter_id,
        clinic_id,
        platform,
        campaign_id,
        campaign_name,
        provider_id,
        provider_name,
        period_start,
        case when sample_status = 'ok' then converted_revenue else 0 end
            as published_converted_revenue,
        case when sample_status = 'ok' then allocated_spend else 0 end
            as published_allocated_spend
    from campaign_provider_quarters
)

select * from final
