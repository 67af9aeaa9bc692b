-- The as-of date of each clinic (METRICS.md section 2): var `as_of_date` when set, else
-- the latest local date of a completed appointment or a closed invoice line of the
-- clinic. Every model that needs "now" joins this one row per clinic.
with

appointments as (
    select clinic_id, start_date, status from {{ ref('int_appointments_unioned') }}
),

invoice_lines as (
    select clinic_id, issued_date, invoice_status from {{ ref('int_invoice_lines_unioned') }}
),

activity as (
    select clinic_id, start_date as activity_date
    from appointments
    where status = 'completed'

    union all

    select clinic_id, issued_date as activity_date
    from invoice_lines
    where invoice_status = 'closed'
),

latest as (
    select
        clinic_id,
        max(activity_date) as latest_activity_date
    from activity
    where clinic_id is not null
    group by clinic_id
),

final as (
    select
        clinic_id,
        {% if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date) as as_of_date,
        {%- else -%}
        latest_activity_date as as_of_date,
        {%- endif %}
        latest_activity_date
    from latest
)

select * from final
