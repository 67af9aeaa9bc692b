with

source as (
    {{ source_or_empty('files', 'leads') }}
),

-- a lead has no location: its time zone is that of the clinic's first location
clinic_zones as (
    select clinic_id, timezone
    from (
        select
            clinic_id,
            timezone,
            row_number() over (partition by clinic_id order by location_id) as location_rank
        from {{ staged_locations() }} as staged
    ) as ranked
    where location_rank = 1
),

zoned as (
    select source.*, clinic_zones.timezone
    from source
    left join clinic_zones on clinic_zones.clinic_id = {{ clean_text('source.clinic_id') }}
),

latest as (
    {{ latest_version('zoned', ['trim(lead_id)']) }}
),

final as (
    select
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('clinic_id') }} as clinic_id,
        {{ local_timestamp('created_at') }} as created_at,
        cast({{ local_timestamp('created_at') }} as date) as created_date,
        {{ pii_hash(normalize_email('email')) }} as email_hash,
        {{ pii_hash(normalize_phone('phone')) }} as phone_hash,
        lower({{ clean_text('platform') }}) as platform,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        {{ clean_text('gclid') }} as gclid,
        {{ clean_text('fbclid') }} as fbclid
    from latest
)

select * from final
