-- One row per invoice line with its refund-adjusted net (METRICS.md section 2) and, for a
-- treatment purchase, the consult it is attributed to.
with

invoice_lines as (
    select * from {{ ref('int_invoice_lines_netted') }}
),

purchases as (
    select line_id, consult_appointment_id from {{ ref('int_purchases_attributed') }}
),

final as (
    select
        invoice_lines.line_id,
        invoice_lines.invoice_id,
        invoice_lines.clinic_id,
        invoice_lines.location_id,
        invoice_lines.patient_id,
        invoice_lines.provider_id,
        invoice_lines.appointment_id,
        invoice_lines.service_id,
        invoice_lines.item_type,
        invoice_lines.invoice_status,
        invoice_lines.issued_at,
        invoice_lines.issued_date,
        invoice_lines.refund_of_line_id,
        invoice_lines.is_refund,
        invoice_lines.quantity,
        invoice_lines.unit_price,
        invoice_lines.discount,
        invoice_lines.tax,
        invoice_lines.tip,
        invoice_lines.line_net,
        invoice_lines.refunded_amount,
        invoice_lines.net_amount,
        invoice_lines.treatment_revenue,
        purchases.consult_appointment_id as attributed_consult_id
    from invoice_lines
    left join purchases on purchases.line_id = invoice_lines.line_id
)

select * from final
