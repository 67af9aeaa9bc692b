-- The reporting periods of each clinic (METRICS.md section 3): every calendar quarter
-- from the quarter of the clinic's first dated row to the as-of quarter, plus the
-- trailing 90 local dates ending on the as-of date. No period is shorter than a quarter.
with

as_of as (
    select clinic_id, as_of_date from {{ ref('int_as_of_dates_resolved') }}
),

appointments as (
    select clinic_id, start_date from {{ ref('int_appointments_unioned') }}
),

invoice_lines as (
    select clinic_id, issued_date from {{ ref('int_invoice_lines_unioned') }}
),

leads as (
    select clinic_id, created_date from {{ ref('int_leads_unioned') }}
),

ad_spend as (
    select clinic_id, spend_date from {{ ref('int_ad_spend_unioned') }}
),

provider_shifts as (
    select clinic_id, start_date from {{ ref('int_provider_shifts_unioned') }}
),

quarter_numbers as (
    {{ dbt.generate_series(400) }}
),

dated_rows as (
    select clinic_id, start_date as row_date from appointments
    union all
    select clinic_id, issued_date as row_date from invoice_lines
    union all
    select clinic_id, created_date as row_date from leads
    union all
    select clinic_id, spend_date as row_date from ad_spend
    union all
    select clinic_id, start_date as row_date from provider_shifts
),

first_quarters as (
    select
        dated_rows.clinic_id,
        {{ quarter_start('min(dated_rows.row_date)') }} as first_quarter_start
    from dated_rows
    inner join as_of on as_of.clinic_id = dated_rows.clinic_id
    where dated_rows.row_date <= as_of.as_of_date
    group by dated_rows.clinic_id
),

calendar_quarters as (
    select
        first_quarters.clinic_id,
        'calendar_quarter' as period_type,
        cast({{ dbt.dateadd('month', '3 * (quarter_numbers.generated_number - 1)', 'first_quarters.first_quarter_start') }} as date)
            as period_start,
        as_of.as_of_date
    from first_quarters
    inner join as_of on as_of.clinic_id = first_quarters.clinic_id
    cross join quarter_numbers
),

quarters_to_as_of as (
    select
        clinic_id,
        period_type,
        period_start,
        {{ dbt.last_day('period_start', 'quarter') }} as period_end,
        as_of_date
    from calendar_quarters
    where period_start <= as_of_date
),

trailing_90d as (
    select
        clinic_id,
        'trailing_90d' as period_type,
        {{ add_days('as_of_date', -89) }} as period_start,
        as_of_date as period_end,
        as_of_date
    from as_of
),

final as (
    select
        clinic_id,
        period_type,
        period_start,
        period_end,
        -- the quarter that holds the as-of date is still running
        as_of_date > period_end as is_complete,
        as_of_date
    from quarters_to_as_of

    union all

    select
        clinic_id,
        period_type,
        period_start,
        period_end,
        true as is_complete,
        as_of_date
    from trailing_90d
)

select * from final
