with

source as (
    {{ source_or_empty('files', 'invoice_lines') }}
),

located as (
    {{ with_location('source') }}
),

versioned as (
    select *, {{ to_instant(clean_text('updated_at'), 'timezone') }} as _version_at
    from located
),

latest as (
    {{ latest_version('versioned', ['trim(line_id)'], '_version_at') }}
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
        lower({{ clean_text('item_type') }}) as item_type,
        {{ to_decimal('quantity') }} as quantity,
        {{ to_decimal('unit_price') }} as unit_price,
        {{ to_decimal('discount') }} as discount,
        {{ to_decimal('tax') }} as tax,
        {{ to_decimal('tip') }} as tip,
        lower({{ clean_text('invoice_status') }}) as invoice_status,
        {{ local_timestamp('issued_at') }} as issued_at,
        cast({{ local_timestamp('issued_at') }} as date) as issued_date,
        {{ clean_text('refund_of_line_id') }} as refund_of_line_id,
        {{ local_timestamp('updated_at') }} as updated_at
    from latest
)

select * from final
