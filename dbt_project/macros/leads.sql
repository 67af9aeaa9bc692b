{#- Shared by the leads staging models of every source (files, leads export). -#}

{#- A lead has no location: its time zone is that of its clinic's first location
    (smallest location_id). One row per clinic of `locations` (clinic_id, timezone). -#}
{% macro clinic_zones(locations) -%}
    select clinic_id, timezone
    from (
        select
            clinic_id,
            timezone,
            row_number() over (partition by clinic_id order by location_id) as location_rank
        from {{ locations }}
    ) as ranked
    where location_rank = 1
{%- endmacro %}

{#- `relation` with its clinic's time zone (staged locations of every source). -#}
{% macro with_clinic_zone(relation) -%}
    select {{ relation }}.*, clinic_zones.timezone
    from {{ relation }}
    left join ({{ clinic_zones(staged_locations() ~ ' as locations') }}) as clinic_zones
        on clinic_zones.clinic_id = {{ clean_text(relation ~ '.clinic_id') }}
{%- endmacro %}

{#- The staged lead columns (contact details hashed) from a zoned relation. -#}
{% macro staged_lead_columns(relation) -%}
    select
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('clinic_id') }} as clinic_id,
        {{ local_timestamp('created_at') }} as created_at,
        {{ local_date('created_at') }} as created_date,
        {{ pii_hash(normalize_email('email')) }} as email_hash,
        {{ pii_hash(normalize_phone('phone')) }} as phone_hash,
        {{ clean_code('platform') }} as platform,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        {{ clean_text('gclid') }} as gclid,
        {{ clean_text('fbclid') }} as fbclid
    from {{ relation }}
{%- endmacro %}
