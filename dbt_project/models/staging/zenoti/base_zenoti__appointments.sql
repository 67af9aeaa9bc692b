-- Every loaded Zenoti appointment with why staging refuses it (_reasons, '' = none): a
-- status outside the canonical set (the appointment_statuses seed; an unmapped Zenoti
-- status arrives as `zenoti:<raw value>`), or no provider. stg_zenoti__appointments keeps
-- the good rows, stg_zenoti__quarantine lists the others.
with

source as (
    {{ source_or_empty('zenoti', 'appointments') }}
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
            case when source.provider_id is null then 'missing value in provider_id' end
        ) as _reasons
    from source
    left join statuses on statuses.status = source.status
)

select * from final
