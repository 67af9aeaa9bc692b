-- One row per local date: the time spine MetricFlow joins metric_time to (dbt 1.11 reads
-- it through `time_spine:` in _semantic__models.yml). Wide enough for any clinic history.
{{ config(materialized='table') }}

with

days as (
    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2041-01-01' as date)") }}
),

final as (
    select cast(date_day as date) as date_day
    from days
)

select * from final
