-- Google Ads daily campaign spend, in the shape of stg_files__ad_spend. The API's
-- customer id (1234567890) is shown the way the Google Ads UI and clinics' exports show
-- it: 123-456-7890.
with

source as (
    {{ source_or_empty('google_ads', 'ad_spend') }}
),

cleaned as (
    select
        date as spend_date,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('clinic_id') }} as clinic_id,
        {{ clean_text('account_id') }} as customer_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        spend,
        impressions,
        clicks,
        {{ clean_text('currency') }} as currency
    from source
),

final as (
    select
        spend_date,
        'google_ads' as platform,
        campaign_id,
        clinic_id,
        case
            when length(customer_id) = 10
                then substr(customer_id, 1, 3) || '-' || substr(customer_id, 4, 3)
                    || '-' || substr(customer_id, 7, 4)
            else customer_id
        end as account_id,
        campaign_name,
        cast(spend as decimal(18, 2)) as spend,
        impressions,
        clicks,
        upper(currency) as currency
    from cleaned
)

select * from final
