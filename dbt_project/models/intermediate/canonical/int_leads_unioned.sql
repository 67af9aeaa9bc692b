-- The one door to leads for every other model: the file exports
-- and leads exports (ingestion/leads).
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'lead_id',
    'clinic_id',
    'created_at',
    'created_date',
    'email_hash',
    'phone_hash',
    'platform',
    'campaign_id',
    'utm_source',
    'utm_medium',
    'utm_campaign',
    'gclid',
    'fbclid',
] %}
with

files as (
    select * from {{ ref('stg_files__leads') }}
),

leads as (
    select * from {{ ref('stg_leads__leads') }}
),

final as (
    {{ union_all(['files', 'leads'], columns) }}
)

select * from final
