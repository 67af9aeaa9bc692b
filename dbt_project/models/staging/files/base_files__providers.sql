-- Every staged providers row with why staging refuses it (_reasons, '' = none):
-- stg_files__providers keeps the good ones, stg_files__quarantine the rest.
with

source as (
    {{ source_or_empty('files', 'providers') }}
),

locations as (
    select location_id, clinic_id from {{ staged_locations() }} as staged
),

ranked as (
    select *, {{ version_rank(['provider_id']) }} as _version_rank
    from source
),

latest as (
    select * from ranked where _version_rank = 1
),

final as (
    select
        {{ clean_text('latest.provider_id') }} as provider_id,
        latest._file_name,
        latest._row_number,
        {{ clean_text('latest.location_id') }} as location_id,
        locations.clinic_id,
        {{ clean_text('latest.name') }} as provider_name,
        {{ clean_text('latest.role') }} as provider_role,
        {{ to_bool('latest.active') }} as is_active
    from latest
    left join locations on locations.location_id = {{ clean_text('latest.location_id') }}
),

checked as (
    select
        final.*,
        {{ quarantine_reasons(reference_checks('providers', 'final')) }} as _reasons
    from final
    {{ reference_joins('providers', 'final') }}
)

select * from checked
