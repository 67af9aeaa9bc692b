-- Every staged provider_shifts row with why staging refuses it (_reasons, '' = none):
-- stg_files__provider_shifts keeps the good ones, stg_files__quarantine the rest.
with

source as (
    {{ source_or_empty('files', 'provider_shifts') }}
),

located as (
    {{ with_location('source') }}
),

ranked as (
    select
        *,
        {{ version_rank(['trim(shift_id)']) }} as _version_rank
    from located
),

latest as (
    select * from ranked where _version_rank = 1
),

localized as (
    select
        {{ clean_text('shift_id') }} as shift_id,
        _file_name,
        _row_number,
        {{ clean_text('provider_id') }} as provider_id,
        {{ clean_text('location_id') }} as location_id,
        _clinic_id as clinic_id,
        {{ local_timestamp('start_at') }} as start_at,
        {{ local_timestamp('end_at') }} as end_at
    from latest
),

final as (
    select
        *,
        cast(start_at as date) as start_date,
        {{ dbt.datediff('start_at', 'end_at', 'minute') }} as shift_minutes
    from localized
),

checked as (
    select
        final.*,
        {{ quarantine_reasons(reference_checks('provider_shifts', 'final')) }} as _reasons
    from final
    {{ reference_joins('provider_shifts', 'final') }}
)

select * from checked
