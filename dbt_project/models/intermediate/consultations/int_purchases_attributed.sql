-- Purchase attribution (METRICS.md section 2), one row per invoice line with positive
-- (refund-adjusted) treatment revenue dated on or before the as-of date. Each is
-- attributed to the patient's latest consult held on or before the line's date and at
-- most conversion_window_days before it; ties on the date: the later start_at, then the
-- larger appointment_id. consult_appointment_id is NULL when no consult qualifies.
with

invoice_lines as (
    select * from {{ ref('int_invoice_lines_netted') }}
),

consult_slots as (
    select * from {{ ref('int_consultation_slots_flagged') }}
),

as_of as (
    select clinic_id, as_of_date from {{ ref('int_as_of_dates_resolved') }}
),

purchases as (
    select
        invoice_lines.line_id,
        invoice_lines.clinic_id,
        invoice_lines.patient_id,
        invoice_lines.provider_id,
        invoice_lines.issued_date,
        invoice_lines.treatment_revenue
    from invoice_lines
    inner join as_of on as_of.clinic_id = invoice_lines.clinic_id
    where invoice_lines.treatment_revenue > 0
        and invoice_lines.issued_date <= as_of.as_of_date
),

held_consults as (
    select appointment_id, clinic_id, patient_id, provider_id, consult_date, start_at
    from consult_slots
    where is_held
),

candidates as (
    select
        purchases.line_id,
        held_consults.appointment_id as consult_appointment_id,
        held_consults.provider_id as consult_provider_id,
        row_number() over (
            partition by purchases.line_id
            order by
                held_consults.consult_date desc,
                held_consults.start_at desc,
                held_consults.appointment_id desc
        ) as consult_rank
    from purchases
    inner join held_consults
        on held_consults.clinic_id = purchases.clinic_id
        and held_consults.patient_id = purchases.patient_id
        and held_consults.consult_date <= purchases.issued_date
        and held_consults.consult_date
            >= {{ add_days('purchases.issued_date', -var('conversion_window_days')) }}
),

final as (
    select
        purchases.line_id,
        purchases.clinic_id,
        purchases.patient_id,
        purchases.provider_id,
        purchases.issued_date,
        purchases.treatment_revenue,
        candidates.consult_appointment_id,
        candidates.consult_provider_id
    from purchases
    left join candidates
        on candidates.line_id = purchases.line_id
        and candidates.consult_rank = 1
)

select * from final
