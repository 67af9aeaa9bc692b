-- The one door to ad_spend for every other model: the file exports, Google Ads API
-- and Meta Ads API.
-- Each source's staging model has these columns and types; one not loaded adds no rows
-- (it reads an empty relation). The key tests (_canonical__models.yml) check that two
-- sources never deliver the same key.
{%- set columns = [
    'spend_date',
    'platform',
    'campaign_id',
    'clinic_id',
    'account_id',
    'campaign_name',
    'spend',
    'impressions',
    'clicks',
    'currency',
] %}
with

files as (
    select * from {{ ref('stg_files__ad_spend') }}
),

google_ads as (
    select * from {{ ref('stg_google_ads__ad_spend') }}
),

meta_ads as (
    select * from {{ ref('stg_meta_ads__ad_spend') }}
),

final as (
    {{ union_all(['files', 'google_ads', 'meta_ads'], columns) }}
)

select * from final
