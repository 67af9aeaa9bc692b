-- One row per providers key whose references resolve (base_files__providers); the others are in
-- stg_files__quarantine with stage 'staging' and the reason.
-- A view: the base model holds the parsed, deduplicated rows; this only filters them.
{{ config(materialized='view') }}
with

checked as (
    select * from {{ ref('base_files__providers') }}
),

final as (
    select
        provider_id,
        location_id,
        clinic_id,
        provider_name,
        provider_role,
        is_active
    from checked
    where _reasons = ''
)

select * from final
