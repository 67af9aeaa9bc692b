-- Every loaded Zenoti appointment with why staging refuses it (_reasons, '' = none): a
-- status outside the canonical set (the appointment_statuses seed; an unmapped Zenoti
-- status arrives as `zenoti:<raw value>`), or no provider. stg_zenoti__appointments keeps
-- the good rows, stg_zenoti__quarantine lists the others.
{%- set checks = [
    unknown_value_check('status', 'appointment_statuses'),
    missing_value_check('provider_id'),
] %}
with

source as (
    {{ source_or_empty('zenoti', 'appointments') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
