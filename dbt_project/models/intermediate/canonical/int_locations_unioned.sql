-- The one door to locations for every other model: the file exports and Zenoti API.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'location_id',
    'clinic_id',
    'location_name',
    'timezone',
] %}
with

files as (
    select * from {{ ref('stg_files__locations') }}
),

zenoti as (
    select * from {{ ref('stg_zenoti__locations') }}
),

final as (
    {{ union_all(['files', 'zenoti'], columns) }}
)

select * from final
