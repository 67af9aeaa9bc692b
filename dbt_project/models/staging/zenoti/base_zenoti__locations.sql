-- Every loaded Zenoti center with why staging refuses it (_reasons, '' = none): a center
-- without a time zone cannot place its local times. stg_zenoti__locations keeps the good
-- rows, stg_zenoti__quarantine lists the others.
{%- set checks = [
    missing_value_check('timezone', 'set sources.zenoti.center_timezones or default_timezone'),
] %}
with

source as (
    {{ source_or_empty('zenoti', 'locations') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
