with

categories as (
    select * from {{ ref('stg_merchant_categories') }}
),

final as (
    select
        category_key,
        category_name,
        category_group,
        is_discretionary,
        is_travel,
        is_necessity
    from categories
)

select * from final
