{#- Personal data stops at staging: only a salted hash of the normalized value goes on,
    so leads and patients still match without the raw email or phone leaving staging. -#}

{% macro normalize_email(col) -%}
    nullif(lower(trim({{ col }})), '')
{%- endmacro %}

{#- Digits only, last 10: "(303) 555-0142", "+1 303 555 0142" and "3035550142" agree. -#}
{% macro normalize_phone(col) -%}
    nullif(right(regexp_replace({{ col }}, '[^0-9]', '', 'g'), 10), '')
{%- endmacro %}

{% macro pii_hash(normalized) -%}
    {{ return(adapter.dispatch('pii_hash')(normalized)) }}
{%- endmacro %}

{% macro default__pii_hash(normalized) -%}
    encode(sha256(convert_to({{ "'" ~ var('pii_salt') ~ "'" }} || {{ normalized }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__pii_hash(normalized) -%}
    sha256({{ "'" ~ var('pii_salt') ~ "'" }} || {{ normalized }})
{%- endmacro %}
