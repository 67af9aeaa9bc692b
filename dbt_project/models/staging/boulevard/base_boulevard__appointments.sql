-- Boulevard appointments with `_reasons`: a state without a canonical meaning, or no
-- service or staff to credit (an appointment with no appointmentServices).
{{ config(materialized='view') }}
{%- set statuses = ['booked', 'completed', 'no_show', 'cancelled', 'late_cancelled'] %}
{%- set checks = [
    ("coalesce(status, '') not in (" ~ sql_values(statuses) ~ ")",
     "'unknown status: ' || coalesce(status, '(none)')"),
    ("provider_id is null", "'missing value in provider_id'"),
    ("service_id is null", "'missing value in service_id'"),
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
