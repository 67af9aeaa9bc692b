{#- Reconciliation of a fact table with the intermediate model it publishes: per clinic and
    local date, the sum of `measure` over the rows of `model` dated `date` equals the sum
    of `detail_measure` over the rows of `detail` dated `detail_date`. Measures may be
    columns or expressions (e.g. 1 to count rows). Fails on each (clinic, date) where
    they differ by more than `tolerance`. -#}
{% test sums_match_by_day(model, measure, date, detail, detail_measure, detail_date, tolerance=0) %}

with

both_sides as (
    select clinic_id, {{ date }} as event_date, {{ measure }} as mart_value, 0 as detail_value
    from {{ model }}
    union all
    select clinic_id, {{ detail_date }}, 0, {{ detail_measure }}
    from {{ detail }}
),

compared as (
    select
        clinic_id,
        event_date,
        sum(mart_value) as mart_total,
        sum(detail_value) as detail_total
    from both_sides
    group by clinic_id, event_date
)

select *
from compared
where abs(mart_total - detail_total) > {{ tolerance }}

{% endtest %}
