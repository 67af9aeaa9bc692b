-- Lead-to-patient identity (METRICS.md section 5, Attribution), one row per (lead,
-- patient) match. A lead matches the patients of its own clinic_id (never across
-- clinics) whose normalized-email hash equals its own; a lead without such a patient
-- falls back to the normalized-phone hash. Staging hashes the normalized values with one
-- salt, so equal hashes are equal normalized values.
with

leads as (
    select lead_id, clinic_id, email_hash, phone_hash from {{ ref('int_leads_unioned') }}
),

patients as (
    select patient_id, clinic_id, email_hash, phone_hash from {{ ref('int_patients_unioned') }}
),

email_matches as (
    select
        leads.lead_id,
        patients.patient_id,
        leads.clinic_id,
        'email' as matched_on
    from leads
    inner join patients
        on patients.clinic_id = leads.clinic_id
        and patients.email_hash = leads.email_hash
),

phone_matches as (
    select
        leads.lead_id,
        patients.patient_id,
        leads.clinic_id,
        'phone' as matched_on
    from leads
    inner join patients
        on patients.clinic_id = leads.clinic_id
        and patients.phone_hash = leads.phone_hash
    where not exists (
        select 1 from email_matches where email_matches.lead_id = leads.lead_id
    )
),

final as (
    select * from email_matches
    union all
    select * from phone_matches
)

select * from final
