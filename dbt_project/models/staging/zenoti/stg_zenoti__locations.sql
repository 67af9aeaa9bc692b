-- Zenoti centers. A center without a time zone cannot place its local times: it goes to
-- stg_zenoti__quarantine (set sources.zenoti.center_timezones or default_timezone).
with

source as (
    {{ source_or_empty('zenoti', 'locations') }}
),

checked as (
    select *, {{ quarantine_reasons(zenoti_checks('locations')) }} as _reasons
    from source
),

final as (
    select
        {{ clean_text('location_id') }} as location_id,
        {{ clean_text('clinic_id') }} as clinic_id,
        {{ clean_text('name') }} as location_name,
        {{ clean_text('timezone') }} as timezone
    from checked
    where _reasons = ''
)

select * from final
