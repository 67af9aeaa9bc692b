-- Rows not staged, with why: refused by the loader (stage 'load'; `record` holds the row's
-- text as read, personal data included, so this model stays in staging) or by staging, on
-- the winning version of a key (stage 'staging': a reference that names nothing staged).
{%- set refused_at_staging = {
    'providers': 'provider_id',
    'patients': 'patient_id',
    'appointments': 'appointment_id',
    'provider_shifts': 'shift_id',
    'invoice_lines': 'line_id',
} %}
with

source as (
    {{ source_or_empty('files', 'quarantine') }}
),

loader as (
    select
        entity,
        file_name,
        row_number,
        record_key,
        reason,
        record,
        'load' as stage
    from source
),
{% for entity, key in refused_at_staging.items() %}
{{ entity }} as (
    select
        '{{ entity }}' as entity,
        _file_name as file_name,
        _row_number as row_number,
        {{ key }} as record_key,
        _reasons as reason,
        cast(null as {{ dbt.type_string() }}) as record,
        'staging' as stage
    from {{ ref('base_files__' ~ entity) }}
    where _reasons <> ''
),
{% endfor %}
final as (
    select * from loader
    {%- for entity in refused_at_staging %}
    union all
    select * from {{ entity }}
    {%- endfor %}
)

select * from final
