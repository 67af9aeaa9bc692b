-- Reconciliation: campaign_performance spend equals the staged spend (all sources, read
-- through the canonical union) in every period, and over all calendar quarters it
-- equals all staged spend dated on or before the as-of date, so no spend falls between
-- periods. Returns the periods (or clinic totals) where they differ.
-- In Dagster it is an asset check on campaign_performance.
{{ config(meta={'dagster': {'ref': {'name': 'campaign_performance'}}}) }}

with

campaign_performance as (
    select * from {{ ref('campaign_performance') }}
),

ad_spend as (
    select * from {{ ref('int_ad_spend_unioned') }}
),

periods as (
    select distinct clinic_id, period_type, period_start, period_end
    from campaign_performance
),

as_of as (
    select clinic_id, period_end as as_of_date
    from periods
    where period_type = 'trailing_90d'
),

mart_by_period as (
    select clinic_id, period_type, period_start, sum(spend) as spend
    from campaign_performance
    group by clinic_id, period_type, period_start
),

staged_by_period as (
    select
        periods.clinic_id,
        periods.period_type,
        periods.period_start,
        sum(ad_spend.spend) as spend
    from periods
    inner join as_of on as_of.clinic_id = periods.clinic_id
    inner join ad_spend
        on ad_spend.clinic_id = periods.clinic_id
        and ad_spend.spend_date between periods.period_start and periods.period_end
        and ad_spend.spend_date <= as_of.as_of_date
    group by periods.clinic_id, periods.period_type, periods.period_start
),

mart_total as (
    select clinic_id, 'all_calendar_quarters' as period_type, sum(spend) as spend
    from campaign_performance
    where period_type = 'calendar_quarter'
    group by clinic_id
),

staged_total as (
    select ad_spend.clinic_id, 'all_calendar_quarters' as period_type, sum(ad_spend.spend) as spend
    from ad_spend
    inner join as_of on as_of.clinic_id = ad_spend.clinic_id
    where ad_spend.spend_date <= as_of.as_of_date
    group by ad_spend.clinic_id
),

compared as (
    select
        coalesce(mart_by_period.clinic_id, staged_by_period.clinic_id) as clinic_id,
        coalesce(mart_by_period.period_type, staged_by_period.period_type) as period_type,
        coalesce(mart_by_period.period_start, staged_by_period.period_start) as period_start,
        coalesce(mart_by_period.spend, 0) as mart_spend,
        coalesce(staged_by_period.spend, 0) as staged_spend
    from mart_by_period
    full outer join staged_by_period
        on staged_by_period.clinic_id = mart_by_period.clinic_id
        and staged_by_period.period_type = mart_by_period.period_type
        and staged_by_period.period_start = mart_by_period.period_start

    union all

    select
        coalesce(mart_total.clinic_id, staged_total.clinic_id) as clinic_id,
        'all_calendar_quarters' as period_type,
        cast(null as date) as period_start,
        coalesce(mart_total.spend, 0) as mart_spend,
        coalesce(staged_total.spend, 0) as staged_spend
    from mart_total
    full outer join staged_total on staged_total.clinic_id = mart_total.clinic_id
)

select *
from compared
where mart_spend <> staged_spend
