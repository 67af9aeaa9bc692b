-- Meta daily campaign spend, in the shape of stg_files__ad_spend. The account is named
-- as the Marketing API and clinics' exports name it: act_<account id>.
with

source as (
    {{ source_or_empty('meta_ads', 'ad_spend') }}
),

final as (
    select
        date as spend_date,
        'meta_ads' as platform,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('clinic_id') }} as clinic_id,
        'act_' || {{ clean_text('account_id') }} as account_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        cast(spend as decimal(18, 2)) as spend,
        impressions,
        clicks,
        upper({{ clean_text('currency') }}) as currency
    from source
)

select * from final
