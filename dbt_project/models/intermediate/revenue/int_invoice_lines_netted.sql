-- Refund-adjusted line net (METRICS.md section 2), one row per invoice line.
-- line_net: quantity * unit_price - discount on a closed invoice, 0 on a void or open
-- invoice and for a gift-card sale (a liability); tax and tip are never revenue.
-- net_amount: what every metric uses. A refund line's net is added to the line it
-- refunds (dated on and credited like that original line), and the refund line itself
-- counts 0. treatment_revenue: net_amount of service, package and membership lines
-- whose service is not a consultation.
with

invoice_lines as (
    select * from {{ ref('int_invoice_lines_unioned') }}
),

services as (
    select service_id, is_consultation from {{ ref('int_services_unioned') }}
),

-- the rule of what counts as revenue, written once: a closed invoice's line that is not
-- a gift-card sale
revenue_flagged as (
    select
        *,
        invoice_status = 'closed' and item_type <> 'gift_card' as counts_as_revenue
    from invoice_lines
),

counted as (
    select
        *,
        case
            when counts_as_revenue then quantity * unit_price - coalesce(discount, 0)
            else 0
        end as line_net
    from revenue_flagged
),

refunds as (
    select
        refund_of_line_id as line_id,
        sum(line_net) as refunded_amount
    from counted
    where refund_of_line_id is not null
    group by refund_of_line_id
),

netted as (
    select
        counted.*,
        counted.refund_of_line_id is not null as is_refund,
        case
            when counted.refund_of_line_id is not null then 0
            else coalesce(refunds.refunded_amount, 0)
        end as refunded_amount,
        case
            when counted.refund_of_line_id is not null then 0
            -- a line that counts 0 stays 0 whatever refunds it
            when not counted.counts_as_revenue then 0
            else counted.line_net + coalesce(refunds.refunded_amount, 0)
        end as net_amount,
        coalesce(services.is_consultation, false) as is_consultation_service
    from counted
    left join refunds on refunds.line_id = counted.line_id
    left join services on services.service_id = counted.service_id
),

classified as (
    select
        *,
        case
            when item_type in ('service', 'package', 'membership') and not is_consultation_service
                then net_amount
            else 0
        end as treatment_revenue
    from netted
),

final as (
    select
        classified.line_id,
        classified.invoice_id,
        classified.location_id,
        classified.clinic_id,
        classified.patient_id,
        classified.provider_id,
        classified.appointment_id,
        classified.service_id,
        classified.item_type,
        classified.invoice_status,
        classified.issued_at,
        classified.issued_date,
        classified.refund_of_line_id,
        classified.is_refund,
        classified.quantity,
        classified.unit_price,
        classified.discount,
        classified.tax,
        classified.tip,
        {{ money('classified.line_net', 4) }} as line_net,
        {{ money('classified.refunded_amount', 4) }} as refunded_amount,
        {{ money('classified.net_amount', 4) }} as net_amount,
        {{ money('classified.treatment_revenue', 4) }} as treatment_revenue
    from classified
)

select * from final
