with

source as (
    select * from {{ ref('merchant_categories') }}
),

renamed as (
    select
        cast(category_key as integer) as category_key,
        cast(category_name as {{ dbt.type_string() }}) as category_name,
        cast(category_group as {{ dbt.type_string() }}) as category_group,
        cast(is_travel as boolean) as is_travel,
        cast(is_discretionary as boolean) as is_discretionary,
        category_group = 'Necessities' as is_necessity,
        category_group = 'Leisure' as is_leisure
    from source
)

select * from renamed
