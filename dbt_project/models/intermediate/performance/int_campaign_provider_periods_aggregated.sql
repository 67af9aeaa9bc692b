-- A campaign's attributed consults (each acquired patient's first consultation slot)
-- split by the consult's provider, one row per (clinic, platform, campaign, period,
-- provider). campaign_performance and campaign_provider_performance both read it, so
-- their consult counts agree by construction.
with

periods as (
    select * from {{ ref('int_periods_spanned') }}
),

consults as (
    select * from {{ ref('int_consultations_attributed_to_campaigns') }}
    where is_campaign_attributed
),

final as (
    select
        consults.clinic_id,
        consults.acquisition_platform as platform,
        consults.acquisition_campaign_id as campaign_id,
        periods.period_type,
        periods.period_start,
        consults.provider_id,
        count(*) as attributed_consult_slots,
        {{ count_if('consults.is_held') }} as consults_held,
        {{ count_if('consults.is_mature') }} as consults_mature,
        {{ count_if('consults.is_converted') }} as consults_converted,
        {{ money('sum(consults.converted_revenue)', 4) }} as converted_revenue
    from consults
    inner join periods
        on periods.clinic_id = consults.clinic_id
        and {{ in_period('consults.consult_date') }}
    group by
        consults.clinic_id,
        consults.acquisition_platform,
        consults.acquisition_campaign_id,
        periods.period_type,
        periods.period_start,
        consults.provider_id
)

select * from final
