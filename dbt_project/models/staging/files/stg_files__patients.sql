-- One row per patients key whose references resolve (base_files__patients); the others are in
-- stg_files__quarantine with stage 'staging' and the reason.
-- A view: the base model holds the parsed, deduplicated rows; this only filters them.
{{ config(materialized='view') }}
with

checked as (
    select * from {{ ref('base_files__patients') }}
),

final as (
    select
        patient_id,
        location_id,
        clinic_id,
        created_at,
        created_date,
        email_hash,
        phone_hash,
        referral_source
    from checked
    where _reasons = ''
)

select * from final
