{#- Reconciliation: for every (clinic_id, period_type, period_start) of a period mart, the
    mart's sum of `measure` equals the sum of `detail_measure` over the rows of `detail`
    of that clinic dated (`detail_date`) within the period and on or before the as-of
    date (the trailing_90d period's end). `measure` and `detail_measure` may be columns or
    expressions over their relation's columns (e.g. 1 to count rows). Fails on each period
    where they differ by more than `tolerance`. -#}
{% test sums_match_by_period(model, measure, detail, detail_measure, detail_date, tolerance=0) %}

with

periods as (
    select distinct clinic_id, period_type, period_start, period_end
    from {{ model }}
),

detail as (
    select clinic_id, {{ detail_date }} as detail_date, {{ detail_measure }} as measure_value
    from {{ detail }}
),

as_of as (
    select clinic_id, period_end as as_of_date
    from periods
    where period_type = 'trailing_90d'
),

mart_totals as (
    select clinic_id, period_type, period_start, sum({{ measure }}) as total
    from {{ model }}
    group by clinic_id, period_type, period_start
),

detail_totals as (
    select
        periods.clinic_id,
        periods.period_type,
        periods.period_start,
        sum(detail.measure_value) as total
    from periods
    inner join as_of on as_of.clinic_id = periods.clinic_id
    inner join detail
        on detail.clinic_id = periods.clinic_id
        and detail.detail_date between periods.period_start and periods.period_end
        and detail.detail_date <= as_of.as_of_date
    group by periods.clinic_id, periods.period_type, periods.period_start
),

compared as (
    select
        coalesce(mart_totals.clinic_id, detail_totals.clinic_id) as clinic_id,
        coalesce(mart_totals.period_type, detail_totals.period_type) as period_type,
        coalesce(mart_totals.period_start, detail_totals.period_start) as period_start,
        coalesce(mart_totals.total, 0) as mart_total,
        coalesce(detail_totals.total, 0) as detail_total
    from mart_totals
    full outer join detail_totals
        on detail_totals.clinic_id = mart_totals.clinic_id
        and detail_totals.period_type = mart_totals.period_type
        and detail_totals.period_start = mart_totals.period_start
)

select *
from compared
where abs(mart_total - detail_total) > {{ tolerance }}

{% endtest %}
