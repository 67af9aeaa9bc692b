{#- Helpers shared by the staging models. -#}

{#- Trimmed text, empty as NULL. -#}
{% macro clean_text(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

{#- A code of a canonical value set (status, item type, category): clean text, lower case. -#}
{% macro clean_code(col) -%}
    lower({{ clean_text(col) }})
{%- endmacro %}

{% macro to_bool(col) -%}
    (lower(trim({{ col }})) = 'true')
{%- endmacro %}

{% macro to_decimal(col) -%}
    cast(nullif(trim({{ col }}), '') as decimal(18, 4))
{%- endmacro %}

{#- METRICS.md dedupe rule, as a window expression: per key, the latest version wins
    (`version_order`, e.g. the updated_at instant), then the file whose name sorts last,
    then the last row. The row ranked 1 is the version staging keeps. -#}
{% macro version_rank(key_columns, version_order=none) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by
            {% if version_order %}{{ version_order }} desc nulls last, {% endif -%}
            _file_name desc,
            _row_number desc
    )
{%- endmacro %}

{#- A text timestamp column as local wall time at the row's location (`timezone`). -#}
{% macro local_timestamp(col, tz='timezone') -%}
    {{ to_local_timestamp(clean_text(col), tz) }}
{%- endmacro %}

{#- The local date of a text timestamp column (booked_date, start_date, issued_date ...). -#}
{% macro local_date(col, tz='timezone') -%}
    cast({{ local_timestamp(col, tz) }} as date)
{%- endmacro %}

{#- Joins the staged locations (of every source: macro staged_locations) for clinic_id and
    timezone: the time rule needs the row's location zone, so these staging models carry
    this one lookup. -#}
{% macro with_location(relation, location_column='location_id') -%}
    select
        {{ relation }}.*,
        locations.clinic_id as _clinic_id,
        locations.timezone
    from {{ relation }}
    left join {{ staged_locations() }} as locations
        on locations.location_id = {{ clean_text(relation ~ '.' ~ location_column) }}
{%- endmacro %}
