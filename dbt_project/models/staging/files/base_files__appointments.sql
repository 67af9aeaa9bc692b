-- Every staged appointments row with why staging refuses it (_reasons, '' = none):
-- stg_files__appointments keeps the good ones, stg_files__quarantine the rest.
with

source as (
    {{ source_or_empty('files', 'appointments') }}
),

located as (
    {{ with_location('source') }}
),

ranked as (
    select
        *,
        {{ version_rank(['trim(appointment_id)'], to_instant(clean_text('updated_at'), 'timezone'))
        }} as _version_rank
    from located
),

latest as (
    select * from ranked where _version_rank = 1
),

final as (
    select
        {{ clean_text('appointment_id') }} as appointment_id,
        _file_name,
        _row_number,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ clean_text('patient_id') }} as patient_id,
        {{ clean_text('provider_id') }} as provider_id,
        {{ clean_text('service_id') }} as service_id,
        {{ clean_code('status') }} as status,
        {{ local_timestamp('booked_at') }} as booked_at,
        {{ local_timestamp('start_at') }} as start_at,
        {{ local_timestamp('end_at') }} as end_at,
        {{ local_timestamp('cancelled_at') }} as cancelled_at,
        {{ local_timestamp('updated_at') }} as updated_at,
        {{ local_date('booked_at') }} as booked_date,
        {{ local_date('start_at') }} as start_date
    from latest
),

checked as (
    select
        final.*,
        {{ quarantine_reasons(reference_checks('appointments', 'final')) }} as _reasons
    from final
    {{ reference_joins('appointments', 'final') }}
)

select * from checked
