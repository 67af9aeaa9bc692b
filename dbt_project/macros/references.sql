{#- Rules across entities for the file source (METRICS.md: every input row ends staged or
    quarantined; "unknown foreign key" is a quarantine reason). A staged row whose reference
    names no staged row is refused into stg_files__quarantine (stage 'staging') instead of
    being staged. They are judged here, at staging, on the winning version of each key, so
    a late-arriving provider or patient heals the rows that named it on the next build.

    files_references(entity): (column, the staged model it names, that model's key). A NULL
    reference is not checked here (the loader quarantines a missing required value). -#}
{% macro files_references(entity) -%}
    {%- set references = {
        'providers': [('location_id', 'stg_files__locations', 'location_id')],
        'patients': [('location_id', 'stg_files__locations', 'location_id')],
        'appointments': [
            ('location_id', 'stg_files__locations', 'location_id'),
            ('patient_id', 'stg_files__patients', 'patient_id'),
            ('provider_id', 'stg_files__providers', 'provider_id'),
            ('service_id', 'stg_files__services', 'service_id'),
        ],
        'provider_shifts': [
            ('location_id', 'stg_files__locations', 'location_id'),
            ('provider_id', 'stg_files__providers', 'provider_id'),
        ],
        'invoice_lines': [
            ('location_id', 'stg_files__locations', 'location_id'),
            ('patient_id', 'stg_files__patients', 'patient_id'),
            ('provider_id', 'stg_files__providers', 'provider_id'),
            ('service_id', 'stg_files__services', 'service_id'),
        ],
    } -%}
    {{ return(references.get(entity, [])) }}
{%- endmacro %}

{#- Left joins of `relation` to the keys it references, aliased ref_<column>. A key
    staged by any source of that entity counts (staged_relations): a shifts file may name
    providers a booking system supplies. -#}
{% macro reference_joins(entity, relation) -%}
    {%- for column, model, key in files_references(entity) %}
    left join (
        {%- for _source, staged in staged_relations(model.split('__')[1]) %}
        select {{ key }} as key from {{ staged }}
        {%- if not loop.last %}
        union
        {%- endif %}
        {%- endfor %}
    ) as ref_{{ column }}
        on ref_{{ column }}.key = {{ relation }}.{{ column }}
    {%- endfor %}
{%- endmacro %}

{#- (condition, reason) pairs for quarantine_reasons: a reference that names nothing. -#}
{% macro reference_checks(entity, relation) -%}
    {%- set checks = [] -%}
    {%- for column, model, key in files_references(entity) -%}
        {%- set bad -%}
            {{ relation }}.{{ column }} is not null and ref_{{ column }}.key is null
        {%- endset -%}
        {%- set reason -%}
            'unknown {{ column }}: ''' || {{ relation }}.{{ column }} || ''''
        {%- endset -%}
        {%- do checks.append((bad, reason)) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}
