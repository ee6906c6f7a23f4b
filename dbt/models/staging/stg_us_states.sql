with

source as (
    select * from {{ ref('us_states') }}
),

renamed as (
    select
        cast(state_code as {{ dbt.type_string() }}) as state_code,
        cast(state_name as {{ dbt.type_string() }}) as state_name,
        cast(region as {{ dbt.type_string() }}) as region
    from source
)

select * from renamed
