-- One row per campaign (clinic, platform, campaign_id) and period with spend, leads or
-- attributed consults: METRICS.md section 5. Campaign rates are not withheld (a campaign
-- is not a person); a ratio over 0 is NULL. campaign_name (from dim_campaigns) sits beside
-- the id for people reading the table.
with

campaign_periods as (
    select * from {{ ref('int_campaign_periods_aggregated') }}
),

campaigns as (
    select clinic_id, platform, campaign_id, campaign_name from {{ ref('dim_campaigns') }}
),

final as (
    select
        campaign_periods.clinic_id,
        campaign_periods.platform,
        campaign_periods.campaign_id,
        campaigns.campaign_name,
        period_type,
        period_start,
        period_end,
        is_complete,
        spend,
        {{ as_count('impressions') }} as impressions,
        {{ as_count('clicks') }} as clicks,
        {{ as_count('leads') }} as leads,
        {{ money(safe_divide('spend', 'leads')) }} as cost_per_lead,
        {{ as_count('attributed_consult_slots') }} as attributed_consult_slots,
        {{ as_count('consults_held') }} as consults_held,
        {{ as_count('consults_mature') }} as consults_mature,
        {{ as_count('consults_converted') }} as consults_converted,
        {{ rate(safe_divide('consults_converted', 'consults_mature')) }} as conversion_rate,
        converted_revenue,
        {{ rate(safe_divide('converted_revenue', 'spend')) }} as roas,
        {{ money(safe_divide('spend', 'consults_converted')) }} as cost_per_conversion
    from campaign_periods
    left join campaigns
        on campaigns.clinic_id = campaign_periods.clinic_id
        and campaigns.platform = campaign_periods.platform
        and campaigns.campaign_id = campaign_periods.campaign_id
)

select * from final
