-- Zenoti invoice items (sales accrual report), one row per line (the loader merges on it).
-- appointment_id is NULL (the report does not link items to appointments), tip is 0 (Zenoti
-- books tips on payments), service_id is set for service items only. A line whose item
-- type or invoice status has no canonical meaning goes to stg_zenoti__quarantine.
-- A refund names only the original invoice and item (base_invoice_no, item_id): when the
-- loader could not resolve it to a loaded line (the original was read in an earlier run),
-- it points at the first line of that item on that invoice at the same center.
with

checked as (
    select * from {{ ref('base_zenoti__invoice_lines') }}
),

located as (
    {{ with_location('checked') }}
),

lines as (
    select
        {{ clean_text('line_id') }} as line_id,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ clean_text('patient_id') }} as patient_id,
        {{ clean_text('provider_id') }} as provider_id,
        {{ clean_text('appointment_id') }} as appointment_id,
        {{ clean_text('service_id') }} as service_id,
        {{ clean_code('item_type') }} as item_type,
        quantity,
        unit_price,
        discount,
        tax,
        tip,
        {{ clean_code('invoice_status') }} as invoice_status,
        {{ local_timestamp('issued_at') }} as issued_at,
        {{ local_date('issued_at') }} as issued_date,
        {{ clean_text('refund_of_line_id') }} as refund_of_line_id,
        {{ local_timestamp('updated_at') }} as updated_at,
        {{ clean_text('invoice_no') }} as invoice_no,
        {{ clean_text('item_id') }} as item_id,
        {{ clean_text('base_invoice_no') }} as base_invoice_no
    from located
    where _reasons = ''
),

first_of_item as (
    select location_id, invoice_no, item_id, min(line_id) as line_id
    from lines
    group by location_id, invoice_no, item_id
),

final as (
    select
        lines.line_id,
        lines.invoice_id,
        lines.location_id,
        lines.clinic_id,
        lines.patient_id,
        lines.provider_id,
        lines.appointment_id,
        lines.service_id,
        lines.item_type,
        lines.quantity,
        lines.unit_price,
        lines.discount,
        lines.tax,
        lines.tip,
        lines.invoice_status,
        lines.issued_at,
        lines.issued_date,
        case
            when loaded.line_id is not null then lines.refund_of_line_id
            else coalesce(first_of_item.line_id, lines.refund_of_line_id)
        end as refund_of_line_id,
        lines.updated_at
    from lines
    left join lines as loaded
        on loaded.line_id = lines.refund_of_line_id
    left join first_of_item
        on first_of_item.location_id = lines.location_id
        and first_of_item.invoice_no = lines.base_invoice_no
        and first_of_item.item_id = lines.item_id
)

select * from final
