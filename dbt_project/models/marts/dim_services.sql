-- One row per service; a consultation carries the category it is a consultation for.
with

services as (
    select * from {{ ref('int_services_unioned') }}
),

final as (
    select
        service_id,
        service_name,
        category,
        is_consultation
    from services
)

select * from final
