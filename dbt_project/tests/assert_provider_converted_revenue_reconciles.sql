-- Reconciliation: in every period, the converted revenue of provider_performance sums to
-- the converted revenue of the consultations dated in that period in fct_consultations.
-- Returns the periods where they differ.
-- In Dagster it is an asset check on provider_performance.
{{ config(meta={'dagster': {'ref': {'name': 'provider_performance'}}}) }}

with

provider_performance as (
    select * from {{ ref('provider_performance') }}
),

consultations as (
    select * from {{ ref('fct_consultations') }}
),

periods as (
    select distinct clinic_id, period_type, period_start, period_end
    from provider_performance
),

provider_totals as (
    select
        clinic_id,
        period_type,
        period_start,
        sum(converted_revenue) as converted_revenue
    from provider_performance
    group by clinic_id, period_type, period_start
),

consultation_totals as (
    select
        periods.clinic_id,
        periods.period_type,
        periods.period_start,
        sum(consultations.converted_revenue) as converted_revenue
    from periods
    inner join consultations
        on consultations.clinic_id = periods.clinic_id
        and consultations.consult_date between periods.period_start and periods.period_end
    group by periods.clinic_id, periods.period_type, periods.period_start
),

compared as (
    select
        coalesce(provider_totals.clinic_id, consultation_totals.clinic_id) as clinic_id,
        coalesce(provider_totals.period_type, consultation_totals.period_type) as period_type,
        coalesce(provider_totals.period_start, consultation_totals.period_start) as period_start,
        coalesce(provider_totals.converted_revenue, 0) as provider_performance_revenue,
        coalesce(consultation_totals.converted_revenue, 0) as fct_consultations_revenue
    from provider_totals
    full outer join consultation_totals
        on consultation_totals.clinic_id = provider_totals.clinic_id
        and consultation_totals.period_type = provider_totals.period_type
        and consultation_totals.period_start = provider_totals.period_start
)

select *
from compared
where abs(provider_performance_revenue - fct_consultations_revenue) > 0.005
