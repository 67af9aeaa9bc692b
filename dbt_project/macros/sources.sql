{#- What staging needs to read raw tables from several sources, some of them not loaded. -#}

{#- The raw table `source(source_name, table_name)` as its declared columns (`columns:` with
    `data_type` in the sources YAML), cast to those types. A column the loader has not
    created yet (dlt adds a column with its first non-null value) reads as NULL, and a table
    that does not exist yet (the source is not enabled, or not loaded so far) reads as no
    rows with the same columns: every staging model builds whichever sources are loaded. -#}
{% macro source_or_empty(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
    select * from {{ relation }}
    {%- else -%}
    {%- set node = graph.sources.values()
        | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name)
        | first -%}
    {%- set declared = node.columns.values() | list -%}
    {%- if not declared or declared | rejectattr('data_type') | list -%}
        {{ exceptions.raise_compiler_error(
            "source " ~ source_name ~ "." ~ table_name ~ ": declare every column staging reads, with its data_type") }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- set present = [] -%}
    {%- if existing is not none -%}
        {%- for column in adapter.get_columns_in_relation(existing) -%}
            {%- do present.append(column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    select
        {%- for column in declared %}
        cast({{ adapter.quote(column.name) if column.name | lower in present else 'null' }} as {{ column.data_type }})
            as {{ adapter.quote(column.name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- if existing is not none %}
    from {{ existing }}
    {%- else %}
    -- {{ relation }} does not exist yet: no rows
    where 1 = 0
    {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- The staging relation of `entity` of each source that stages it (var
    canonical_sources), as (source, relation) pairs. Each is a ref(), so dbt builds them
    first. When the model runs, a relation that does not exist is left out: the staging of
    an API source never loaded, which a CLI run does not build (it would hold no rows;
    orchestration/defs/api_sources.py). The file source's staging is always built. -#}
{% macro staged_relations(entity) -%}
    {%- set found = [] -%}
    {%- for source in var('canonical_sources')[entity] -%}
        {%- set relation = ref('stg_' ~ source ~ '__' ~ entity) -%}
        {%- if not execute or load_relation(relation) is not none -%}
            {%- do found.append((source, relation)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- Every staged location, whichever source it came from (staged_relations): the lookup
    that gives a row its clinic and the time zone its local times are read in (a file of
    shifts may name locations that a booking system supplies). -#}
{% macro staged_locations() -%}
    (
        {%- for _source, relation in staged_relations('locations') %}
        select location_id, clinic_id, timezone from {{ relation }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )
{%- endmacro %}

{#- 'a', 'b', ... for an `in` list. -#}
{% macro sql_values(values) -%}
    {%- for value in values -%}'{{ value }}'{{ ', ' if not loop.last }}{%- endfor -%}
{%- endmacro %}

{#- The quarantine reasons of a row, '; '-separated ('' for a good row): `checks` is a list
    of (condition that makes the row bad, SQL text expression saying why). -#}
{% macro quarantine_reasons(checks) -%}
    {%- if checks -%}
    concat_ws('; '
        {%- for bad, reason in checks %},
        case when {{ bad }} then {{ reason }} end
        {%- endfor %}
    )
    {%- else -%}
    ''
    {%- endif -%}
{%- endmacro %}

{#- A check for quarantine_reasons: `column` holds a value outside its canonical value set
    (the seed `seed`, whose column has the same name; NULL is outside too). -#}
{% macro unknown_value_check(column, seed) -%}
    {{ return((
        "coalesce(" ~ column ~ ", '') not in (select " ~ column ~ " from " ~ ref(seed) ~ ")",
        "'unknown " ~ column ~ ": ' || coalesce(" ~ column ~ ", '(none)')",
    )) }}
{%- endmacro %}

{#- A check for quarantine_reasons: `column` is NULL (`hint`: what to do about it). -#}
{% macro missing_value_check(column, hint=none) -%}
    {{ return((
        column ~ " is null",
        "'missing value in " ~ column ~ (" (" ~ hint ~ ")" if hint else "") ~ "'",
    )) }}
{%- endmacro %}

{#- The canonical models' union: `columns` of each CTE in `ctes`, stacked. Every source's
    staging model has these columns with the same types. -#}
{% macro union_all(ctes, columns) -%}
    {%- for cte in ctes %}
    select
        {{ columns | join(',\n        ') }}
    from {{ cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
