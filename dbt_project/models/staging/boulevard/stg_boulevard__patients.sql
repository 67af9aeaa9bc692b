-- Boulevard clients at their primary location, created_at converted from the instant
-- Boulevard sends to local time there. Boulevard keeps no referral source.
with

source as (
    {{ source_or_empty('boulevard', 'patients') }}
),

located as (
    {{ with_location('source') }}
),

final as (
    select
        {{ clean_text('patient_id') }} as patient_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ local_timestamp('created_at') }} as created_at,
        {{ local_date('created_at') }} as created_date,
        {{ pii_hash(normalize_email('email')) }} as email_hash,
        {{ pii_hash(normalize_phone('phone')) }} as phone_hash,
        {{ clean_text('referral_source') }} as referral_source
    from located
)

select * from final
