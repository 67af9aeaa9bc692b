-- One row per invoice_lines key whose references resolve (base_files__invoice_lines); the others are in
-- stg_files__quarantine with stage 'staging' and the reason.
-- A view: the base model holds the parsed, deduplicated rows; this only filters them.
{{ config(materialized='view') }}
with

checked as (
    select * from {{ ref('base_files__invoice_lines') }}
),

final as (
    select
        line_id,
        invoice_id,
        location_id,
        clinic_id,
        patient_id,
        provider_id,
        appointment_id,
        service_id,
        item_type,
        quantity,
        unit_price,
        discount,
        tax,
        tip,
        invoice_status,
        issued_at,
        issued_date,
        refund_of_line_id,
        updated_at
    from checked
    where _reasons = ''
)

select * from final
