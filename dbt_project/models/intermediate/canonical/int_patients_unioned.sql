-- The one door to patients for every other model: the file exports and Zenoti API.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'patient_id',
    'location_id',
    'clinic_id',
    'created_at',
    'created_date',
    'email_hash',
    'phone_hash',
    'referral_source',
] %}
with

files as (
    select * from {{ ref('stg_files__patients') }}
),

zenoti as (
    select * from {{ ref('stg_zenoti__patients') }}
),

final as (
    {{ union_all(['files', 'zenoti'], columns) }}
)

select * from final
