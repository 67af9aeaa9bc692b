-- Return by first provider seen, one row per (clinic, first provider, quarter of the
-- first visit): METRICS.md section 5. A return rate over fewer mature first visits
-- than min_cohort is NULL.
with

first_visits as (
    select * from {{ ref('int_first_visits_returned') }}
),

cohorts as (
    select
        clinic_id,
        first_provider_id,
        {{ quarter_start('first_visit_date') }} as cohort_quarter,
        count(*) as patients,
        {%- for n in [90, 365] %}
        {{ count_if('is_mature_' ~ n ~ 'd') }} as mature_{{ n }}d,
        {{ count_if('is_mature_' ~ n ~ 'd and returned_' ~ n ~ 'd') }} as returned_{{ n }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from first_visits
    where first_provider_id is not null
    group by clinic_id, first_provider_id, {{ quarter_start('first_visit_date') }}
),

providers as (
    select provider_id, provider_name from {{ ref('dim_providers') }}
),

final as (
    select
        cohorts.clinic_id,
        cohorts.first_provider_id,
        providers.provider_name as first_provider_name,
        cohort_quarter,
        {{ as_count('patients') }} as patients,
        {%- for n in [90, 365] %}
        {{ as_count('mature_' ~ n ~ 'd') }} as mature_{{ n }}d,
        {{ as_count('returned_' ~ n ~ 'd') }} as returned_{{ n }}d,
        {{ withhold(rate(safe_divide('returned_' ~ n ~ 'd', 'mature_' ~ n ~ 'd')), 'mature_' ~ n ~ 'd', 'min_cohort') }}
            as return_rate_{{ n }}d{{ ',' if not loop.last }}
        {%- endfor %}
    from cohorts
    left join providers on providers.provider_id = cohorts.first_provider_id
)

select * from final
