{#- Zenoti rows that cannot be staged, per entity: (condition, reason) pairs for
    quarantine_reasons(). ingestion/zenoti keeps a value without a canonical meaning as
    `zenoti:<raw value>`, so the reason shows what Zenoti sent. Used by the stg_zenoti__*
    models (which keep the good rows) and stg_zenoti__quarantine (which lists the others). -#}
{% macro zenoti_checks(entity) -%}
    {%- set statuses = ['booked', 'completed', 'no_show', 'cancelled', 'late_cancelled'] -%}
    {%- set item_types = ['service', 'product', 'package', 'membership', 'gift_card'] -%}
    {%- set invoice_statuses = ['open', 'closed', 'void'] -%}
    {%- set checks = {
        'locations': [
            ("timezone is null",
             "'missing value in timezone (set sources.zenoti.center_timezones or default_timezone)'"),
        ],
        'services': [
            ("coalesce(category, '') not in (" ~ sql_values(service_categories()) ~ ")",
             "'unknown category: ' || coalesce(category, '(none)')"),
        ],
        'appointments': [
            ("coalesce(status, '') not in (" ~ sql_values(statuses) ~ ")",
             "'unknown status: ' || coalesce(status, '(none)')"),
            ("provider_id is null", "'missing value in provider_id'"),
        ],
        'invoice_lines': [
            ("coalesce(item_type, '') not in (" ~ sql_values(item_types) ~ ")",
             "'unknown item_type: ' || coalesce(item_type, '(none)')"),
            ("coalesce(invoice_status, '') not in (" ~ sql_values(invoice_statuses) ~ ")",
             "'unknown invoice_status: ' || coalesce(invoice_status, '(none)')"),
            ("patient_id is null", "'missing value in patient_id'"),
            ("provider_id is null", "'missing value in provider_id'"),
            ("issued_at is null", "'missing value in issued_at'"),
        ],
    } -%}
    {{ return(checks.get(entity, [])) }}
{%- endmacro %}
