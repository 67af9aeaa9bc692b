-- Every loaded Boulevard appointment with why staging refuses it (_reasons, '' = none): a
-- state outside the canonical set (the appointment_statuses seed), or no service or staff
-- to credit (an appointment with no appointmentServices).
{{ config(materialized='view') }}
{%- set checks = [
    unknown_value_check('status', 'appointment_statuses'),
    missing_value_check('provider_id'),
    missing_value_check('service_id'),
] %}
with

source as (
    {{ source_or_empty('boulevard', 'appointments') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
