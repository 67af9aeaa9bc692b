-- Rows the loader refused. `record` holds the row's text as read (personal data
-- included), so this model stays in staging, next to the raw layer.
with

source as (
    {{ source_or_empty('files', 'quarantine') }}
),

final as (
    select
        entity,
        file_name,
        row_number,
        record_key,
        reason,
        record
    from source
)

select * from final
