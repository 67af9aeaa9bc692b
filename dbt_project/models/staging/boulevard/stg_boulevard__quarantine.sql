-- Boulevard rows not staged, with why (the checks of the base_boulevard__ models): one row
-- per (entity, record_key). Every loaded row is in its stg_boulevard__ model or here.
{%- set keys = {
    'locations': 'location_id',
    'services': 'service_id',
    'appointments': 'appointment_id',
    'invoice_lines': 'line_id',
} %}
with
{% for entity, key in keys.items() %}
{{ entity }} as (
    select
        '{{ entity }}' as entity,
        {{ clean_text(key) }} as record_key,
        _reasons as reason
    from {{ ref('base_boulevard__' ~ entity) }}
    where _reasons <> ''
),
{% endfor %}
final as (
    {%- for entity in keys %}
    select entity, record_key, reason from {{ entity }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
