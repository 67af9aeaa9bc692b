-- One row per consultation slot (completed, no_show or late_cancelled consultation on or
-- before the as-of date): held, mature, converted, its converted revenue and the
-- acquisition campaign of its patient.
with

consults as (
    select * from {{ ref('int_consultations_attributed_to_campaigns') }}
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
        consult_date,
        is_held,
        is_mature,
        is_first_consult_slot,
        attributed_revenue,
        is_converted,
        converted_revenue,
        acquisition_lead_id,
        acquisition_platform,
        acquisition_campaign_id,
        is_campaign_attributed
    from consults
)

select * from final
