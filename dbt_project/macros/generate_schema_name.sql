{#- Schemas are named for their layer (staging, intermediate, marts), not prefixed by the
    target schema: BI tools and docs can rely on `marts.provider_performance`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
