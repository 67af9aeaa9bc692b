-- Boulevard services with `_reasons`: a category with no canonical meaning (kept by the
-- loader as `boulevard:<name>`; map it with sources.boulevard.category_map).
{{ config(materialized='view') }}
{%- set checks = [unknown_value_check('category', 'service_categories')] %}
with

source as (
    {{ source_or_empty('boulevard', 'services') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
