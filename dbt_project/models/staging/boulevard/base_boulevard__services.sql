-- Boulevard services with `_reasons`: a category with no canonical meaning (kept by the
-- loader as `boulevard:<name>`; map it with sources.boulevard.category_map).
{{ config(materialized='view') }}
{%- set checks = [
    ("coalesce(category, '') not in (" ~ sql_values(service_categories()) ~ ")",
     "'unknown category: ' || coalesce(category, '(none)')"),
] %}
with

source as (
    {{ source_or_empty('boulevard', 'services') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
