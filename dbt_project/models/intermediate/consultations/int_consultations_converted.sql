-- Conversions (METRICS.md section 2), one row per consultation slot: the treatment
-- revenue attributed to it, and is_converted when it is mature and that revenue
-- (refund-adjusted) is > 0. converted_revenue is that revenue for a converted consult,
-- else 0.
with

consult_slots as (
    select * from {{ ref('int_consultation_slots_flagged') }}
),

purchases as (
    select consult_appointment_id, treatment_revenue
    from {{ ref('int_purchases_attributed') }}
    where consult_appointment_id is not null
),

attributed as (
    select
        consult_appointment_id as appointment_id,
        sum(treatment_revenue) as attributed_revenue
    from purchases
    group by consult_appointment_id
),

converted as (
    select
        consult_slots.*,
        coalesce(attributed.attributed_revenue, 0) as attributed_revenue,
        consult_slots.is_mature and coalesce(attributed.attributed_revenue, 0) > 0 as is_converted
    from consult_slots
    left join attributed on attributed.appointment_id = consult_slots.appointment_id
),

final as (
    select
        appointment_id,
        clinic_id,
        location_id,
        patient_id,
        provider_id,
        service_id,
        category,
        status,
        start_at,
        end_at,
        consult_date,
        is_held,
        is_mature,
        is_first_consult_slot,
        {{ money('attributed_revenue', 4) }} as attributed_revenue,
        is_converted,
        {{ money('case when is_converted then attributed_revenue else 0 end', 4) }} as converted_revenue
    from converted
)

select * from final
