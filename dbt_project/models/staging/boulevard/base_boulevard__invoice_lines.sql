-- Boulevard order lines with `_reasons`: a line type without a canonical item_type, or a
-- line nobody can be credited for (no client, no staff, no date).
{{ config(materialized='view') }}
{%- set item_types = ['service', 'product', 'package', 'membership', 'gift_card'] %}
{%- set checks = [
    ("coalesce(item_type, '') not in (" ~ sql_values(item_types) ~ ")",
     "'unknown item_type: ' || coalesce(item_type, '(none)')"),
    ("patient_id is null", "'missing value in patient_id'"),
    ("provider_id is null", "'missing value in provider_id'"),
    ("issued_at is null", "'missing value in issued_at'"),
] %}
with

source as (
    {{ source_or_empty('boulevard', 'invoice_lines') }}
),

final as (
    select *, {{ quarantine_reasons(checks) }} as _reasons
    from source
)

select * from final
