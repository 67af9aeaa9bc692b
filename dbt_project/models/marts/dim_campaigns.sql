-- One row per campaign (clinic_id, platform, campaign_id): every campaign with spend or
-- leads, plus ('unattributed', '(none)') for patients without an acquisition lead.
-- campaign_name and account_id come from the latest spend row of the campaign.
with

ad_spend as (
    select * from {{ ref('int_ad_spend_unioned') }}
),

leads as (
    select * from {{ ref('int_leads_unioned') }}
),

patients_acquired as (
    select * from {{ ref('int_patients_acquired') }}
),

platforms as (
    select platform, is_paid from {{ ref('platforms') }}
),

spend_campaigns as (
    select
        clinic_id,
        platform,
        campaign_id,
        campaign_name,
        account_id,
        first_spend_date,
        last_spend_date
    from (
        select
            clinic_id,
            platform,
            coalesce(campaign_id, '(none)') as campaign_id,
            campaign_name,
            account_id,
            min(spend_date) over (
                partition by clinic_id, platform, coalesce(campaign_id, '(none)')
            ) as first_spend_date,
            max(spend_date) over (
                partition by clinic_id, platform, coalesce(campaign_id, '(none)')
            ) as last_spend_date,
            row_number() over (
                partition by clinic_id, platform, coalesce(campaign_id, '(none)')
                order by spend_date desc
            ) as recency_rank
        from ad_spend
    ) as ranked
    where recency_rank = 1
),

campaign_keys as (
    select clinic_id, platform, campaign_id from spend_campaigns
    union
    select clinic_id, platform, coalesce(campaign_id, '(none)') as campaign_id from leads
    union
    select clinic_id, acquisition_platform as platform, acquisition_campaign_id as campaign_id
    from patients_acquired
),

final as (
    select
        campaign_keys.clinic_id,
        campaign_keys.platform,
        campaign_keys.campaign_id,
        spend_campaigns.campaign_name,
        spend_campaigns.account_id,
        coalesce(platforms.is_paid, false) as is_paid,
        spend_campaigns.first_spend_date,
        spend_campaigns.last_spend_date
    from campaign_keys
    left join spend_campaigns
        on spend_campaigns.clinic_id = campaign_keys.clinic_id
        and spend_campaigns.platform = campaign_keys.platform
        and spend_campaigns.campaign_id = campaign_keys.campaign_id
    left join platforms on platforms.platform = campaign_keys.platform
)

select * from final
