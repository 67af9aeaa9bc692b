-- Zenoti guests. created_date is center-local already (no offset): read as local time.
-- Zenoti's guest list does not document a creation date: a guest without one is dated by
-- their first appointment or sale (the earliest evidence the clinic knew them).
with

source as (
    {{ source_or_empty('zenoti', 'patients') }}
),

appointments as (
    select * from {{ ref('stg_zenoti__appointments') }}
),

invoice_lines as (
    select * from {{ ref('stg_zenoti__invoice_lines') }}
),

located as (
    {{ with_location('source') }}
),

first_seen as (
    select patient_id, min(seen_at) as first_seen_at
    from (
        select patient_id, start_at as seen_at from appointments
        union all
        select patient_id, issued_at as seen_at from invoice_lines
    ) as seen
    group by patient_id
),

staged as (
    select
        {{ clean_text('patient_id') }} as patient_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ local_timestamp('created_at') }} as created_at,
        {{ pii_hash(normalize_email('email')) }} as email_hash,
        {{ pii_hash(normalize_phone('phone')) }} as phone_hash,
        {{ clean_text('referral_source') }} as referral_source
    from located
),

final as (
    select
        staged.patient_id,
        staged.location_id,
        staged.clinic_id,
        coalesce(staged.created_at, first_seen.first_seen_at) as created_at,
        cast(coalesce(staged.created_at, first_seen.first_seen_at) as date) as created_date,
        staged.email_hash,
        staged.phone_hash,
        staged.referral_source
    from staged
    left join first_seen on first_seen.patient_id = staged.patient_id
)

select * from final
