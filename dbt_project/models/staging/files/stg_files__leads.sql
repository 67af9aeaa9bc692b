with

source as (
    {{ source_or_empty('files', 'leads') }}
),

zoned as (
    {{ with_clinic_zone('source') }}
),

latest as (
    {{ latest_version('zoned', ['trim(lead_id)']) }}
),

final as (
    {{ staged_lead_columns('latest') }}
)

select * from final
