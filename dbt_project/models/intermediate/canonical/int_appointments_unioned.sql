-- The one door to appointments for every other model: the file exports and Zenoti API.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'appointment_id',
    'location_id',
    'clinic_id',
    'patient_id',
    'provider_id',
    'service_id',
    'status',
    'booked_at',
    'start_at',
    'end_at',
    'cancelled_at',
    'updated_at',
    'booked_date',
    'start_date',
] %}
with

files as (
    select * from {{ ref('stg_files__appointments') }}
),

zenoti as (
    select * from {{ ref('stg_zenoti__appointments') }}
),

final as (
    {{ union_all(['files', 'zenoti'], columns) }}
)

select * from final
