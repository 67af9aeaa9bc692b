-- Zenoti rows not staged, with why (the checks of macro zenoti_checks): one row per
-- (entity, record_key). Every loaded row is in its stg_zenoti__ model or here.
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
        {{ quarantine_reasons(zenoti_checks(entity)) }} as reason
    from ({{ source_or_empty('zenoti', entity) }}) as source
),
{% endfor %}
final as (
    {%- for entity in keys %}
    select entity, record_key, reason from {{ entity }} where reason <> ''
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
