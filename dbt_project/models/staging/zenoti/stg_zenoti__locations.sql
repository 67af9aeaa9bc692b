-- Zenoti centers. A center without a time zone cannot place its local times: it goes to
-- stg_zenoti__quarantine (set sources.zenoti.center_timezones or default_timezone).
with

checked as (
    select * from {{ ref('base_zenoti__locations') }}
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
