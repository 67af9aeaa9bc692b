{#- Metric helpers for the intermediate and mart models (METRICS.md sections 2-4).
    Cross-database: built on dbt-core's own macros, no DuckDB-only syntax. -#}

{#- A date `days` days after `date_expr` (negative: before), as a date. -#}
{% macro add_days(date_expr, days) -%}
    cast({{ dbt.dateadd('day', days, date_expr) }} as date)
{%- endmacro %}

{#- The first day of the calendar quarter holding `date_expr`, as a date. -#}
{% macro quarter_start(date_expr) -%}
    cast({{ dbt.date_trunc('quarter', date_expr) }} as date)
{%- endmacro %}

{#- How many rows meet `condition` (portable: no summing of booleans). -#}
{% macro count_if(condition) -%}
    sum(case when {{ condition }} then 1 else 0 end)
{%- endmacro %}

{#- True when `date_expr` falls in the period of the `periods` alias. Cohort metrics pass
    `trailing_shift_days` = N: in the trailing_90d row their cohort is the 90 dates ending
    on as_of - N (the latest cohort that can be mature); calendar quarters are not shifted.
    Nothing dated after the as-of date belongs to any period. -#}
{% macro in_period(date_expr, periods='periods', trailing_shift_days=0) -%}
    {%- if trailing_shift_days == 0 -%}
    {{ date_expr }} between {{ periods }}.period_start and {{ periods }}.period_end
    and {{ date_expr }} <= {{ periods }}.as_of_date
    {%- else -%}
    {{ date_expr }} between
        case when {{ periods }}.period_type = 'trailing_90d'
            then {{ add_days(periods ~ '.period_start', -trailing_shift_days) }}
            else {{ periods }}.period_start end
        and case when {{ periods }}.period_type = 'trailing_90d'
            then {{ add_days(periods ~ '.period_end', -trailing_shift_days) }}
            else {{ periods }}.period_end end
    and {{ date_expr }} <= {{ periods }}.as_of_date
    {%- endif -%}
{%- endmacro %}

{#- numerator / denominator as a double; NULL when the denominator is 0 or NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    case
        when coalesce({{ denominator }}, 0) = 0 then null
        else cast({{ numerator }} as double precision) / {{ denominator }}
    end
{%- endmacro %}

{#- `expression` rounded to `scale` decimal places, half away from zero, the same on every
    database. A double is first fixed to 10 places: DuckDB rounds a double from its exact
    binary value, PostgreSQL from its 15 significant digits, so a quotient such as
    5889.73 / 22 = 267.71499999999997 would read 267.71 on one and 267.72 on the other;
    fixed to 10 places it is 267.715 on both, and the decimal rounding agrees. -#}
{% macro round_decimal(expression, scale) -%}
    cast(cast({{ expression }} as decimal(28, 10)) as decimal(18, {{ scale }}))
{%- endmacro %}

{#- A published rate or ratio: rounded to 6 decimal places, as a double, so the marts read
    the same on every database. -#}
{% macro rate(expression) -%}
    cast({{ round_decimal(expression, 6) }} as double precision)
{%- endmacro %}

{#- An amount of money as a fixed-scale decimal (2 places by default): one type on every
    database, and exact sums. -#}
{% macro money(expression, scale=2) -%}
    {{ round_decimal(expression, scale) }}
{%- endmacro %}

{#- `value` when the sample `n` reaches the threshold var, else NULL (withheld). -#}
{% macro withhold(value, n, threshold_var) -%}
    case when coalesce({{ n }}, 0) >= {{ var(threshold_var) }} then {{ value }} end
{%- endmacro %}

{#- Wilson score interval (z = 1.96) for `successes` out of `n`; NULL when n = 0. -#}
{% macro wilson_bound(successes, n, side, z=1.96) -%}
    {%- set sign = '-' if side == 'low' else '+' -%}
    {#- clamped to [0, 1]: at 0 or n successes rounding could leave the bound a hair outside -#}
    case when coalesce({{ n }}, 0) > 0 then {{ 'greatest(0.0, ' if side == 'low' else 'least(1.0, ' }}
        (
            cast({{ successes }} as double precision) / {{ n }}
            + {{ z * z }} / (2.0 * {{ n }})
            {{ sign }} {{ z }} * sqrt(
                (cast({{ successes }} as double precision) / {{ n }})
                * (1 - cast({{ successes }} as double precision) / {{ n }}) / {{ n }}
                + {{ z * z }} / (4.0 * {{ n }} * {{ n }})
            )
        ) / (1 + {{ z * z }} / cast({{ n }} as double precision)))
    end
{%- endmacro %}

{#- 'ok', or a comma-separated list of the withheld rates. `checks` is a list of
    (rate names, sample count, threshold var): every name of a check below its threshold. -#}
{% macro sample_status(checks) -%}
    coalesce(nullif(concat_ws(', ',
        {%- for names, n, threshold_var in checks %}
        case when coalesce({{ n }}, 0) < {{ var(threshold_var) }} then '{{ names | join(", ") }}' end
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    ), ''), 'ok')
{%- endmacro %}

{#- The instant (timestamptz) of a local wall-clock timestamp at IANA zone `tz`: compares
    times of rows whose locations are in different zones (a lead's time is at the clinic's
    first location, a booking's at its own location). -#}
{% macro local_to_instant(local_ts, tz) -%}
    {{ return(adapter.dispatch('local_to_instant')(local_ts, tz)) }}
{%- endmacro %}

{% macro default__local_to_instant(local_ts, tz) -%}
    ({{ local_ts }} at time zone {{ tz }})
{%- endmacro %}

{% macro duckdb__local_to_instant(local_ts, tz) -%}
    timezone({{ tz }}, {{ local_ts }})
{%- endmacro %}

{#- A count as a BIGINT on every database: DuckDB sums integers into HUGEINT (int128),
    which several BI drivers cannot read. -#}
{% macro as_count(expression) -%}
    cast({{ expression }} as {{ dbt.type_bigint() }})
{%- endmacro %}
