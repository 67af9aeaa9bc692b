-- One row per provider_shifts key whose references resolve (base_files__provider_shifts); the others are in
-- stg_files__quarantine with stage 'staging' and the reason.
-- A view: the base model holds the parsed, deduplicated rows; this only filters them.
{{ config(materialized='view') }}
with

checked as (
    select * from {{ ref('base_files__provider_shifts') }}
),

final as (
    select
        shift_id,
        provider_id,
        location_id,
        clinic_id,
        start_at,
        end_at,
        start_date,
        shift_minutes
    from checked
    where _reasons = ''
)

select * from final
