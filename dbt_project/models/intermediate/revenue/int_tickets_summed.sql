-- Tickets (METRICS.md section 2), one row per (invoice, provider) pair whose summed
-- refund-adjusted net is positive, dated on the pair's first line. ticket_net is that sum.
with

invoice_lines as (
    select * from {{ ref('int_invoice_lines_netted') }}
),

final as (
    select
        invoice_id,
        provider_id,
        clinic_id,
        min(issued_date) as ticket_date,
        sum(net_amount) as ticket_net
    from invoice_lines
    where not is_refund
        and provider_id is not null
    group by invoice_id, provider_id, clinic_id
    having sum(net_amount) > 0
)

select * from final
