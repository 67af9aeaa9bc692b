-- campaign_performance's calendar quarters as MetricFlow reads them (the mart's
-- trailing_90d rows overlap the quarters, so summing both would count twice). Campaign
-- rates are not withheld: a campaign is not a person.
with

campaign_quarters as (
    select * from {{ ref('campaign_performance') }}
    where period_type = 'calendar_quarter'
),

final as (
    select
        {{ dbt.concat(["clinic_id", "'/'", "platform", "'/'", "campaign_id", "'/'", dbt.cast("period_start", dbt.type_string())]) }}
            as campaign_quarter_id,
        clinic_id,
        platform,
        campaign_id,
        campaign_name,
        period_start,
        is_complete,
        spend,
        leads,
        attributed_consult_slots,
        consults_mature,
        consults_converted,
        converted_revenue
    from campaign_quarters
)

select * from final
