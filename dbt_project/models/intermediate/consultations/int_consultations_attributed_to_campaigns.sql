-- Every consultation slot with the acquisition campaign of its patient (METRICS.md
-- section 5, Attribution). is_campaign_attributed: the slot is the patient's first
-- consultation slot, the one consult a campaign is credited with.
with

consults as (
    select * from {{ ref('int_consultations_converted') }}
),

patients_acquired as (
    select
        patient_id,
        acquisition_lead_id,
        acquisition_platform,
        acquisition_campaign_id
    from {{ ref('int_patients_acquired') }}
),

final as (
    select
        consults.*,
        patients_acquired.acquisition_lead_id,
        coalesce(patients_acquired.acquisition_platform, 'unattributed') as acquisition_platform,
        coalesce(patients_acquired.acquisition_campaign_id, '(none)') as acquisition_campaign_id,
        consults.is_first_consult_slot as is_campaign_attributed
    from consults
    left join patients_acquired on patients_acquired.patient_id = consults.patient_id
)

select * from final
