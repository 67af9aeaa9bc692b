-- Every staged invoice_lines row with why staging refuses it (_reasons, '' = none):
-- stg_files__invoice_lines keeps the good ones, stg_files__quarantine the rest.
with

source as (
    {{ source_or_empty('files', 'invoice_lines') }}
),

located as (
    {{ with_location('source') }}
),

ranked as (
    select
        *,
        {{ version_rank(['trim(line_id)'], to_instant(clean_text('updated_at'), 'timezone'))
        }} as _version_rank
    from located
),

latest as (
    select * from ranked where _version_rank = 1
),

final as (
    select
        {{ clean_text('line_id') }} as line_id,
        _file_name,
        _row_number,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ clean_text('patient_id') }} as patient_id,
        {{ clean_text('provider_id') }} as provider_id,
        {{ clean_text('appointment_id') }} as appointment_id,
        {{ clean_text('service_id') }} as service_id,
        {{ clean_code('item_type') }} as item_type,
        {{ to_decimal('quantity') }} as quantity,
        {{ to_decimal('unit_price') }} as unit_price,
        {{ to_decimal('discount') }} as discount,
        {{ to_decimal('tax') }} as tax,
        {{ to_decimal('tip') }} as tip,
        {{ clean_code('invoice_status') }} as invoice_status,
        {{ local_timestamp('issued_at') }} as issued_at,
        {{ local_date('issued_at') }} as issued_date,
        {{ clean_text('refund_of_line_id') }} as refund_of_line_id,
        {{ local_timestamp('updated_at') }} as updated_at
    from latest
),

referenced as (
    select
        final.*,
        {{ quarantine_reasons(reference_checks('invoice_lines', 'final')) }} as _reference_reasons
    from final
    {{ reference_joins('invoice_lines', 'final') }}
),

-- a refund line names another line that is staged
checked as (
    select
        referenced.*,
        concat_ws(
            '; ',
            nullif(referenced._reference_reasons, ''),
            case
                when referenced.refund_of_line_id is not null and refunded.line_id is null
                    then 'unknown refund_of_line_id: ''' || referenced.refund_of_line_id || ''''
            end
        ) as _reasons
    from referenced
    left join referenced as refunded
        on refunded.line_id = referenced.refund_of_line_id
        and refunded._reference_reasons = ''
        and refunded.line_id <> referenced.line_id
)

select * from checked
