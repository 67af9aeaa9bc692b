-- A campaign's attributed consults split by the consult's provider, one row per
-- (clinic, platform, campaign, period, provider): METRICS.md section 5. The campaign's
-- spend in the period is allocated by the provider's share of its attributed consult
-- slots; revenue_per_ad_dollar = converted_revenue / allocated_spend. A row is about a
-- person, so both rates are withheld below min_consults mature consults (the counts stay).
-- Campaign and provider names sit beside the ids for people reading the table.
{%- set withheld_rates = ['conversion_rate', 'revenue_per_ad_dollar'] %}
with

campaign_provider_periods as (
    select * from {{ ref('int_campaign_provider_periods_aggregated') }}
),

campaign_periods as (
    select * from {{ ref('int_campaign_periods_aggregated') }}
),

campaigns as (
    select clinic_id, platform, campaign_id, campaign_name from {{ ref('dim_campaigns') }}
),

providers as (
    select provider_id, provider_name from {{ ref('dim_providers') }}
),

allocated as (
    select
        campaign_provider_periods.*,
        campaign_periods.period_end,
        campaign_periods.is_complete,
        {{ money(safe_divide(
            'campaign_periods.spend * campaign_provider_periods.attributed_consult_slots',
            'campaign_periods.attributed_consult_slots'
        ), 4) }} as allocated_spend
    from campaign_provider_periods
    inner join campaign_periods
        on campaign_periods.clinic_id = campaign_provider_periods.clinic_id
        and campaign_periods.platform = campaign_provider_periods.platform
        and campaign_periods.campaign_id = campaign_provider_periods.campaign_id
        and campaign_periods.period_type = campaign_provider_periods.period_type
        and campaign_periods.period_start = campaign_provider_periods.period_start
),

final as (
    select
        allocated.clinic_id,
        allocated.platform,
        allocated.campaign_id,
        campaigns.campaign_name,
        period_type,
        period_start,
        period_end,
        is_complete,
        allocated.provider_id,
        providers.provider_name,
        {{ as_count('attributed_consult_slots') }} as attributed_consult_slots,
        {{ as_count('consults_held') }} as consults_held,
        {{ as_count('consults_mature') }} as consults_mature,
        {{ as_count('consults_converted') }} as consults_converted,
        {{ withhold(rate(safe_divide('consults_converted', 'consults_mature')), 'consults_mature', 'min_consults') }}
            as conversion_rate,
        converted_revenue,
        allocated_spend,
        {{ withhold(rate(safe_divide('converted_revenue', 'allocated_spend')), 'consults_mature', 'min_consults') }}
            as revenue_per_ad_dollar,
        {{ sample_status([(withheld_rates, 'consults_mature', 'min_consults')]) }} as sample_status
    from allocated
    left join campaigns
        on campaigns.clinic_id = allocated.clinic_id
        and campaigns.platform = allocated.platform
        and campaigns.campaign_id = allocated.campaign_id
    left join providers on providers.provider_id = allocated.provider_id
)

select * from final
