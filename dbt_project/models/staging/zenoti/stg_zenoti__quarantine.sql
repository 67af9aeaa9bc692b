-- Zenoti rows not staged, with why (the _reasons of the base_zenoti__ models): one row per
-- (entity, record_key). Every loaded row is in its stg_zenoti__ model or here.
{%- set keys = {
    'locations': 'location_id',
    'services': 'service_id',
    'appointments': 'appointment_id',
    'invoice_lines': 'line_id',
} %}
with

final as (
    {%- for entity, key in keys.items() %}
    select '{{ entity }}' as entity, {{ clean_text(key) }} as record_key, _reasons as reason
    from {{ ref('base_zenoti__' ~ entity) }}
    where _reasons <> ''
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
