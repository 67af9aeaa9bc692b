{#- Reconciliation of a fact table with the intermediate model it publishes: per clinic and
    local date, the sum of `measure` over the rows of `model` dated `date` equals the sum
    of `detail_measure` over the rows of `detail` dated `detail_date`. Measures may be
    columns or expressions (e.g. 1 to count rows). Fails on each (clinic, date) where
    they differ by more than `tolerance`. -#}
{% test sums_match_by_day(model, measure, date, detail, detail_measure, detail_date, tolerance=0) %}

with

mart_totals as (
    select clinic_id, {{ date }} as event_date, sum({{ measure }}) as total
    from {{ model }}
    group by clinic_id, {{ date }}
),

detail_totals as (
    select clinic_id, {{ detail_date }} as event_date, sum({{ detail_measure }}) as total
    from {{ detail }}
    group by clinic_id, {{ detail_date }}
),

compared as (
    select
        coalesce(mart_totals.clinic_id, detail_totals.clinic_id) as clinic_id,
        coalesce(mart_totals.event_date, detail_totals.event_date) as event_date,
        coalesce(mart_totals.total, 0) as mart_total,
        coalesce(detail_totals.total, 0) as detail_total
    from mart_totals
    full outer join detail_totals
        on detail_totals.clinic_id = mart_totals.clinic_id
        and detail_totals.event_date = mart_totals.event_date
)

select *
from compared
where abs(mart_total - detail_total) > {{ tolerance }}

{% endtest %}
