with

source as (
    {{ source_or_empty('files', 'leads') }}
),

zoned as (
    {{ with_clinic_zone('source') }}
),

ranked as (
    select *, {{ version_rank(['trim(lead_id)']) }} as _version_rank
    from zoned
),

latest as (
    select * from ranked where _version_rank = 1
),

final as (
    {{ staged_lead_columns('latest') }}
)

select * from final
