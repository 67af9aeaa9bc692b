-- One row per patient, without personal data: the acquisition campaign, the first visit
-- and first provider, and referral_source as context.
with

patients as (
    select * from {{ ref('int_patients_unioned') }}
),

patients_acquired as (
    select * from {{ ref('int_patients_acquired') }}
),

first_visits as (
    select * from {{ ref('int_first_visits_returned') }}
),

final as (
    select
        patients.patient_id,
        patients.clinic_id,
        patients.location_id,
        patients.created_date,
        patients.referral_source,
        patients_acquired.acquisition_lead_id,
        patients_acquired.acquisition_matched_on,
        patients_acquired.acquisition_platform,
        patients_acquired.acquisition_campaign_id,
        patients_acquired.first_booked_at,
        first_visits.first_visit_appointment_id,
        first_visits.first_visit_date,
        first_visits.first_provider_id,
        first_visits.is_mature_90d,
        first_visits.returned_90d,
        first_visits.is_mature_365d,
        first_visits.returned_365d
    from patients
    left join patients_acquired on patients_acquired.patient_id = patients.patient_id
    left join first_visits on first_visits.patient_id = patients.patient_id
)

select * from final
