-- One row per appointments key whose references resolve (base_files__appointments); the others are in
-- stg_files__quarantine with stage 'staging' and the reason.
-- A view: the base model holds the parsed, deduplicated rows; this only filters them.
{{ config(materialized='view') }}
with

checked as (
    select * from {{ ref('base_files__appointments') }}
),

final as (
    select
        appointment_id,
        location_id,
        clinic_id,
        patient_id,
        provider_id,
        service_id,
        status,
        booked_at,
        start_at,
        end_at,
        cancelled_at,
        updated_at,
        booked_date,
        start_date
    from checked
    where _reasons = ''
)

select * from final
