-- Reconciliation: over all calendar quarters, campaign_performance spend equals all staged
-- spend (every source, read through the canonical union) dated on or before the as-of
-- date, so no spend falls between periods. Each period's spend is checked by the
-- sums_match_by_period test on the model. Returns the clinics where they differ.
-- In Dagster it is an asset check on campaign_performance.
{{ config(meta={'dagster': {'ref': {'name': 'campaign_performance'}}}) }}

with

campaign_performance as (
    select * from {{ ref('campaign_performance') }}
),

ad_spend as (
    select * from {{ ref('int_ad_spend_unioned') }}
),

as_of as (
    select distinct clinic_id, period_end as as_of_date
    from campaign_performance
    where period_type = 'trailing_90d'
),

mart_total as (
    select clinic_id, sum(spend) as spend
    from campaign_performance
    where period_type = 'calendar_quarter'
    group by clinic_id
),

staged_total as (
    select ad_spend.clinic_id, sum(ad_spend.spend) as spend
    from ad_spend
    inner join as_of on as_of.clinic_id = ad_spend.clinic_id
    where ad_spend.spend_date <= as_of.as_of_date
    group by ad_spend.clinic_id
),

compared as (
    select
        coalesce(mart_total.clinic_id, staged_total.clinic_id) as clinic_id,
        coalesce(mart_total.spend, 0) as mart_spend,
        coalesce(staged_total.spend, 0) as staged_spend
    from mart_total
    full outer join staged_total on staged_total.clinic_id = mart_total.clinic_id
)

select *
from compared
where mart_spend <> staged_spend
