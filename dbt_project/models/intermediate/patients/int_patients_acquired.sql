-- Acquisition (METRICS.md section 5, Attribution), one row per patient. The acquisition
-- lead is the earliest matched lead (created_at, then lead_id) created at or before the
-- booked_at of the patient's first appointment (any status; earliest start_at, then
-- appointment_id). The acquisition campaign is (lead platform, lead campaign_id or
-- '(none)'), and ('unattributed', '(none)') without such a lead.
-- "At or before" compares instants: a lead's local time is at the clinic's first location
-- (smallest location_id), a booking's at its own location, and the zones may differ.
with

patients as (
    select patient_id, clinic_id from {{ ref('int_patients_unioned') }}
),

appointments as (
    select appointment_id, location_id, patient_id, booked_at, start_at
    from {{ ref('int_appointments_unioned') }}
),

leads as (
    select lead_id, clinic_id, created_at, platform, campaign_id from {{ ref('int_leads_unioned') }}
),

locations as (
    select location_id, clinic_id, timezone from {{ ref('int_locations_unioned') }}
),

lead_matches as (
    select lead_id, patient_id, matched_on from {{ ref('int_leads_matched') }}
),

clinic_zones as (
    {{ clinic_zones('locations') }}
),

lead_instants as (
    select
        leads.lead_id,
        {{ local_to_instant('leads.created_at', 'clinic_zones.timezone') }} as created_instant,
        leads.platform,
        leads.campaign_id
    from leads
    inner join clinic_zones on clinic_zones.clinic_id = leads.clinic_id
),

first_appointments as (
    select
        ranked.patient_id,
        ranked.booked_at as first_booked_at,
        {{ local_to_instant('ranked.booked_at', 'locations.timezone') }} as first_booked_instant
    from (
        select
            patient_id,
            location_id,
            booked_at,
            row_number() over (
                partition by patient_id order by start_at, appointment_id
            ) as appointment_rank
        from appointments
    ) as ranked
    inner join locations on locations.location_id = ranked.location_id
    where ranked.appointment_rank = 1
),

candidate_leads as (
    select
        lead_matches.patient_id,
        lead_matches.lead_id,
        lead_matches.matched_on,
        lead_instants.platform,
        lead_instants.campaign_id,
        row_number() over (
            partition by lead_matches.patient_id
            order by lead_instants.created_instant, lead_instants.lead_id
        ) as lead_rank
    from lead_matches
    inner join lead_instants on lead_instants.lead_id = lead_matches.lead_id
    inner join first_appointments on first_appointments.patient_id = lead_matches.patient_id
    where lead_instants.created_instant <= first_appointments.first_booked_instant
),

final as (
    select
        patients.patient_id,
        patients.clinic_id,
        first_appointments.first_booked_at,
        candidate_leads.lead_id as acquisition_lead_id,
        candidate_leads.matched_on as acquisition_matched_on,
        case
            when candidate_leads.lead_id is null then 'unattributed'
            else candidate_leads.platform
        end as acquisition_platform,
        case
            when candidate_leads.lead_id is null then '(none)'
            else coalesce(candidate_leads.campaign_id, '(none)')
        end as acquisition_campaign_id
    from patients
    left join first_appointments on first_appointments.patient_id = patients.patient_id
    left join candidate_leads
        on candidate_leads.patient_id = patients.patient_id
        and candidate_leads.lead_rank = 1
)

select * from final
