{#- Helpers shared by the staging models. -#}

{#- Trimmed text, empty as NULL. -#}
{% macro clean_text(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

{% macro to_bool(col) -%}
    (lower(trim({{ col }})) = 'true')
{%- endmacro %}

{% macro to_decimal(col) -%}
    cast(nullif(trim({{ col }}), '') as decimal(18, 4))
{%- endmacro %}

{#- METRICS.md dedupe rule: per key, the latest version wins (`version_order`, e.g. the
    updated_at instant), then the file whose name sorts last, then the last row. -#}
{% macro latest_version(relation, key_columns, version_order=none) -%}
    select *
    from (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by
                    {% if version_order %}{{ version_order }} desc nulls last,{% endif %}
                    _file_name desc,
                    _row_number desc
            ) as _version_rank
        from {{ relation }}
    ) as ranked
    where _version_rank = 1
{%- endmacro %}

{#- A text timestamp column as local wall time at the row's location (`timezone`). -#}
{% macro local_timestamp(col, tz='timezone') -%}
    {{ to_local_timestamp(clean_text(col), tz) }}
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

{#- The latest version of each key of a files entity that has a location_id, with the
    location's clinic_id and timezone. Entities with updated_at rank versions by it as an
    instant (in the row's location zone) first. -#}
{% macro latest_located_file_rows(entity, key_column, by_updated_at=false) -%}
    with

    source as (
        {{ source_or_empty('files', entity) }}
    ),

    located as (
        {{ with_location('source') }}
    )
    {%- if by_updated_at %},

    versioned as (
        select *, {{ to_instant(clean_text('updated_at'), 'timezone') }} as _version_at
        from located
    )

    {{ latest_version('versioned', ['trim(' ~ key_column ~ ')'], '_version_at') }}
    {%- else %}

    {{ latest_version('located', ['trim(' ~ key_column ~ ')']) }}
    {%- endif %}
{%- endmacro %}
