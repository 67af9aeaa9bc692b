-- Every loaded Zenoti center with why staging refuses it (_reasons, '' = none): a center
-- without a time zone cannot place its local times. stg_zenoti__locations keeps the good
-- rows, stg_zenoti__quarantine lists the others.
with

source as (
    {{ source_or_empty('zenoti', 'locations') }}
),

final as (
    select
        *,
        concat_ws('; ',
            case when timezone is null
                then 'missing value in timezone (set sources.zenoti.center_timezones or default_timezone)'
            end
        ) as _reasons
    from source
)

select * from final
