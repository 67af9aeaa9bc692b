-- The counts and sums behind campaign_performance, one row per (clinic, platform,
-- campaign, period) with spend, leads or attributed consults. A campaign is (platform,
-- campaign_id or '(none)'); patients without an acquisition lead form ('unattributed',
-- '(none)'). Spend is counted on its date, a lead on its created date, a consult on its date.
with

periods as (
    select * from {{ ref('int_periods_spanned') }}
),

ad_spend as (
    select * from {{ ref('int_ad_spend_unioned') }}
),

leads as (
    select * from {{ ref('int_leads_unioned') }}
),

campaign_provider_consults as (
    select * from {{ ref('int_campaign_provider_periods_aggregated') }}
),

spend_metrics as (
    select
        ad_spend.clinic_id,
        ad_spend.platform,
        coalesce(ad_spend.campaign_id, '(none)') as campaign_id,
        periods.period_type,
        periods.period_start,
        sum(ad_spend.spend) as spend,
        sum(ad_spend.impressions) as impressions,
        sum(ad_spend.clicks) as clicks
    from ad_spend
    inner join periods
        on periods.clinic_id = ad_spend.clinic_id
        and {{ in_period('ad_spend.spend_date') }}
    group by 1, 2, 3, 4, 5
),

lead_metrics as (
    select
        leads.clinic_id,
        leads.platform,
        coalesce(leads.campaign_id, '(none)') as campaign_id,
        periods.period_type,
        periods.period_start,
        count(*) as leads
    from leads
    inner join periods
        on periods.clinic_id = leads.clinic_id
        and {{ in_period('leads.created_date') }}
    group by 1, 2, 3, 4, 5
),

consult_metrics as (
    select
        clinic_id,
        platform,
        campaign_id,
        period_type,
        period_start,
        sum(attributed_consult_slots) as attributed_consult_slots,
        sum(consults_held) as consults_held,
        sum(consults_mature) as consults_mature,
        sum(consults_converted) as consults_converted,
        sum(converted_revenue) as converted_revenue
    from campaign_provider_consults
    group by 1, 2, 3, 4, 5
),

campaign_periods as (
    select clinic_id, platform, campaign_id, period_type, period_start from spend_metrics
    union
    select clinic_id, platform, campaign_id, period_type, period_start from lead_metrics
    union
    select clinic_id, platform, campaign_id, period_type, period_start from consult_metrics
),

final as (
    select
        campaign_periods.clinic_id,
        campaign_periods.platform,
        campaign_periods.campaign_id,
        campaign_periods.period_type,
        campaign_periods.period_start,
        periods.period_end,
        periods.is_complete,
        {{ money('coalesce(spend_metrics.spend, 0)') }} as spend,
        coalesce(spend_metrics.impressions, 0) as impressions,
        coalesce(spend_metrics.clicks, 0) as clicks,
        coalesce(lead_metrics.leads, 0) as leads,
        coalesce(consult_metrics.attributed_consult_slots, 0) as attributed_consult_slots,
        coalesce(consult_metrics.consults_held, 0) as consults_held,
        coalesce(consult_metrics.consults_mature, 0) as consults_mature,
        coalesce(consult_metrics.consults_converted, 0) as consults_converted,
        {{ money('coalesce(consult_metrics.converted_revenue, 0)', 4) }} as converted_revenue
    from campaign_periods
    inner join periods
        on periods.clinic_id = campaign_periods.clinic_id
        and periods.period_type = campaign_periods.period_type
        and periods.period_start = campaign_periods.period_start
    {%- for cte in ['spend_metrics', 'lead_metrics', 'consult_metrics'] %}
    left join {{ cte }}
        on {{ cte }}.clinic_id = campaign_periods.clinic_id
        and {{ cte }}.platform = campaign_periods.platform
        and {{ cte }}.campaign_id = campaign_periods.campaign_id
        and {{ cte }}.period_type = campaign_periods.period_type
        and {{ cte }}.period_start = campaign_periods.period_start
    {%- endfor %}
)

select * from final
