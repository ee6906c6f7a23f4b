{#-
    Customer dimension, SCD Type 2 on card_type and credit_limit (from the customers_snapshot snapshot),
    Type 1 for every other attribute (always the latest delivery). One row per customer version.
    valid_from of the first version is the account-opening date (so all history maps to a version);
    later versions start when the change took effect (the delivery's updated_at). The current version has
    valid_to = 9999-12-31 and is_current = true. customer_key = md5(customer_id | version).
-#}
with

versions as (
    select * from {{ ref('customers_snapshot') }}
),

current_attributes as (
    select * from {{ ref('stg_customers') }}
),

numbered as (
    select
        customer_id,
        card_type,
        credit_limit,
        dbt_valid_from,
        dbt_valid_to,
        recorded_at,
        row_number() over (partition by customer_id order by dbt_valid_from) as customer_version
    from versions
),

final as (
    select
        {{ dbt.hash(dbt.concat(['n.customer_id', "'|'", 'cast(n.customer_version as ' ~ dbt.type_string() ~ ')'])) }}
            as customer_key,
        n.customer_id,
        n.customer_version,
        c.first_name,
        c.last_name,
        c.first_name || ' ' || c.last_name as full_name,
        c.email,
        c.age,
        c.state,
        c.city,
        c.employment_status,
        c.account_open_date,
        c.campaign_group,
        n.card_type,
        n.credit_limit,
        case
            when n.customer_version = 1
                and c.account_open_date is not null
                and cast(c.account_open_date as timestamp) < cast(n.dbt_valid_from as timestamp)
                then cast(c.account_open_date as timestamp)
            else cast(n.dbt_valid_from as timestamp)
        end as valid_from,
        cast(coalesce(n.dbt_valid_to, cast('9999-12-31 00:00:00' as timestamp)) as timestamp) as valid_to,
        (n.dbt_valid_to is null or n.dbt_valid_to >= cast('9999-12-31 00:00:00' as timestamp)) as is_current,
        cast(n.recorded_at as timestamp) as version_recorded_at
    from numbered as n
    inner join current_attributes as c
        on n.customer_id = c.customer_id
)

select * from final
