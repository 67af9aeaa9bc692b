{#- METRICS.md time rule: a timestamp with an offset or Z is an instant, converted to the
    location's zone; one without is already local wall time at that location. -#}

{%- macro utc_offset_pattern() -%}
'[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?[ ]*([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$'
{%- endmacro -%}

{% macro has_utc_offset(ts) -%}
    {{ return(adapter.dispatch('has_utc_offset')(ts)) }}
{%- endmacro %}

{% macro default__has_utc_offset(ts) -%}
    ({{ ts }} ~ {{ utc_offset_pattern() }})
{%- endmacro %}

{% macro duckdb__has_utc_offset(ts) -%}
    regexp_matches({{ ts }}, {{ utc_offset_pattern() }})
{%- endmacro %}

{#- Local wall-clock timestamp (no zone) at `tz`. -#}
{% macro to_local_timestamp(ts, tz) -%}
    {{ return(adapter.dispatch('to_local_timestamp')(ts, tz)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(ts, tz) -%}
    case
        when {{ has_utc_offset(ts) }} then (cast({{ ts }} as timestamptz) at time zone {{ tz }})
        else cast({{ ts }} as timestamp)
    end
{%- endmacro %}

{% macro duckdb__to_local_timestamp(ts, tz) -%}
    case
        when {{ has_utc_offset(ts) }} then timezone({{ tz }}, cast({{ ts }} as timestamptz))
        else cast({{ ts }} as timestamp)
    end
{%- endmacro %}

{#- The instant (timestamptz) a timestamp names, for comparing versions across zones. -#}
{% macro to_instant(ts, tz) -%}
    {{ return(adapter.dispatch('to_instant')(ts, tz)) }}
{%- endmacro %}

{% macro default__to_instant(ts, tz) -%}
    case
        when {{ has_utc_offset(ts) }} then cast({{ ts }} as timestamptz)
        else (cast({{ ts }} as timestamp) at time zone {{ tz }})
    end
{%- endmacro %}

{% macro duckdb__to_instant(ts, tz) -%}
    case
        when {{ has_utc_offset(ts) }} then cast({{ ts }} as timestamptz)
        else timezone({{ tz }}, cast({{ ts }} as timestamp))
    end
{%- endmacro %}
