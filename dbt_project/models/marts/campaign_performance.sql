-- One row per campaign (clinic, platform, campaign_id) and period with spend, leads or
-- attributed consults: METRICS.md section 5. Campaign rates are not withheld (a campaign
-- is not a person); a ratio over 0 is NULL.
with

campaign_periods as (
    select * from {{ ref('int_campaign_periods_aggregated') }}
),

final as (
    select
        clinic_id,
        platform,
        campaign_id,
        period_type,
        period_start,
        period_end,
        is_complete,
        spend,
        impressions,
        clicks,
        leads,
        {{ money(safe_divide('spend', 'leads')) }} as cost_per_lead,
        attributed_consult_slots,
        consults_held,
        consults_mature,
        consults_converted,
        {{ rate(safe_divide('consults_converted', 'consults_mature')) }} as conversion_rate,
        converted_revenue,
        {{ rate(safe_divide('converted_revenue', 'spend')) }} as roas,
        {{ money(safe_divide('spend', 'consults_converted')) }} as cost_per_conversion
    from campaign_periods
)

select * from final
