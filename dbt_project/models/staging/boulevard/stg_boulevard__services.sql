-- Boulevard services with their canonical category.
with

checked as (
    select * from {{ ref('base_boulevard__services') }}
),

final as (
    select
        {{ clean_text('service_id') }} as service_id,
        {{ clean_text('name') }} as service_name,
        {{ clean_code('category') }} as category,
        is_consultation
    from checked
    where _reasons = ''
)

select * from final
