{#- Fails on every row where two consecutive non-null values of `columns` are out of
    order, e.g. [conversion_ci_low, conversion_rate, conversion_ci_high] or
    [consults_converted, consults_mature, consults_held, consult_slots]. -#}
{% test ordered_columns(model, columns) %}
select *
from {{ model }}
where false
{%- for column in columns[:-1] %}
    or {{ column }} > {{ columns[loop.index] }}
{%- endfor %}
{% endtest %}
