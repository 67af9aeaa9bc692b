-- Boulevard order lines, one row per line (the loader merges on it), dated when the order
-- closed (else when it was opened), local time at its location. tip is 0: Boulevard books
-- tips on the payment, not on a line.
with

checked as (
    select * from {{ ref('base_boulevard__invoice_lines') }}
),

located as (
    {{ with_location('checked') }}
),

final as (
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
        {{ local_timestamp('updated_at') }} as updated_at
    from located
    where _reasons = ''
)

select * from final
