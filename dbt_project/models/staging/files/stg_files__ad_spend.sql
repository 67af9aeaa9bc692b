with

source as (
    {{ source_or_empty('files', 'ad_spend') }}
),

keyed as (
    select
        *,
        {{ clean_text('clinic_id') }} as clinic_key,
        cast(trim(date) as date) as spend_date,
        {{ clean_code('platform') }} as platform_key,
        {{ clean_text('campaign_id') }} as campaign_key
    from source
),

-- no updated_at: a restating file wins because its name sorts later
ranked as (
    select *, {{ version_rank(['clinic_key', 'spend_date', 'platform_key', 'campaign_key']) }} as _version_rank
    from keyed
),

latest as (
    select * from ranked where _version_rank = 1
),

final as (
    select
        spend_date,
        platform_key as platform,
        campaign_key as campaign_id,
        clinic_key as clinic_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        cast({{ to_decimal('spend') }} as decimal(18, 2)) as spend,
        cast(trim(impressions) as bigint) as impressions,
        cast(trim(clicks) as bigint) as clicks,
        upper({{ clean_text('currency') }}) as currency
    from latest
)

select * from final
