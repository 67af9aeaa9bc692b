-- Every loaded Boulevard appointment with why staging refuses it (_reasons, '' = none): a
-- state outside the canonical set (the appointment_statuses seed), or no service or staff
-- to credit (an appointment with no appointmentServices).
{{ config(materialized='view') }}
with

source as (
    {{ source_or_empty('boulevard', 'appointments') }}
),

statuses as (
    select status from {{ ref('appointment_statuses') }}
),

final as (
    select
        source.*,
        concat_ws('; ',
            case when statuses.status is null
                then 'unknown status: ' || coalesce(source.status, '(none)')
            end,
            case when source.provider_id is null then 'missing value in provider_id' end,
            case when source.service_id is null then 'missing value in service_id' end
        ) as _reasons
    from source
    left join statuses on statuses.status = source.status
)

select * from final
