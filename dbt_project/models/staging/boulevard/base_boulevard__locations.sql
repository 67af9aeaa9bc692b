-- Boulevard locations with `_reasons` saying why staging refuses one ('' when it does not).
-- stg_boulevard__locations keeps the others; stg_boulevard__quarantine lists these.
{{ config(materialized='view') }}
{%- set checks = [missing_value_check('timezone', 'Boulevard sent no tz')] %}
with

source as (
    {{ source_or_empty('boulevard', 'locations') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
