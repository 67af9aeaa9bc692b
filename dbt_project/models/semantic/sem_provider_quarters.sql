-- provider_performance's calendar quarters as MetricFlow reads them. A provider's numbers
-- are never published for less than a quarter (METRICS.md section 3), so these rows are
-- the only provider grain the semantic layer has, and its time dimension is declared at
-- quarter granularity. Each rate's numerator and denominator count only where the mart
-- publishes that rate (section 4): a metric over them is the mart's rate on a provider
-- quarter, NULL where the mart withholds it, and pools the published providers above that.
with

provider_quarters as (
    select * from {{ ref('provider_performance') }}
    where period_type = 'calendar_quarter'
),

aggregated as (
    select provider_id, period_type, period_start, consult_slots_window_closed
    from {{ ref('int_provider_periods_aggregated') }}
),

final as (
    select
        {{ dbt.concat(["provider_quarters.provider_id", "'/'", dbt.cast("provider_quarters.period_start", dbt.type_string())]) }}
            as provider_quarter_id,
        provider_quarters.clinic_id,
        provider_quarters.provider_id,
        provider_quarters.provider_name,
        provider_quarters.location_name,
        provider_quarters.period_start,
        provider_quarters.is_complete,
        provider_quarters.consults_held,
        case when provider_quarters.conversion_rate is not null
            then provider_quarters.consults_converted else 0 end as published_consults_converted,
        case when provider_quarters.conversion_rate is not null
            then provider_quarters.consults_mature else 0 end as published_consults_mature,
        case when provider_quarters.avg_ticket is not null
            then provider_quarters.ticket_revenue else 0 end as published_ticket_revenue,
        case when provider_quarters.avg_ticket is not null
            then provider_quarters.tickets else 0 end as published_tickets,
        case when provider_quarters.revenue_per_consult_slot is not null
            then provider_quarters.converted_revenue else 0 end as published_slot_revenue,
        case when provider_quarters.revenue_per_consult_slot is not null
            then aggregated.consult_slots_window_closed else 0 end as published_consult_slots
    from provider_quarters
    inner join aggregated
        on aggregated.provider_id = provider_quarters.provider_id
        and aggregated.period_type = provider_quarters.period_type
        and aggregated.period_start = provider_quarters.period_start
)

select * from final
