with

source as (
    {{ source_or_empty('leads', 'leads') }}
),

-- one row per (clinic_id, lead_id) already: the loader merges on that key
zoned as (
    {{ with_clinic_zone('source') }}
),

final as (
    {{ staged_lead_columns('zoned') }}
)

select * from final
