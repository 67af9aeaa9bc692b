-- Every staged patients row with why staging refuses it (_reasons, '' = none):
-- stg_files__patients keeps the good ones, stg_files__quarantine the rest.
with

source as (
    {{ source_or_empty('files', 'patients') }}
),

located as (
    {{ with_location('source') }}
),

ranked as (
    select
        *,
        {{ version_rank(['trim(patient_id)']) }} as _version_rank
    from located
),

latest as (
    select * from ranked where _version_rank = 1
),

final as (
    select
        {{ clean_text('patient_id') }} as patient_id,
        _file_name,
        _row_number,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ local_timestamp('created_at') }} as created_at,
        {{ local_date('created_at') }} as created_date,
        {{ pii_hash(normalize_email('email')) }} as email_hash,
        {{ pii_hash(normalize_phone('phone')) }} as phone_hash,
        {{ clean_text('referral_source') }} as referral_source
    from latest
),

checked as (
    select
        final.*,
        {{ quarantine_reasons(reference_checks('patients', 'final')) }} as _reasons
    from final
    {{ reference_joins('patients', 'final') }}
)

select * from checked
