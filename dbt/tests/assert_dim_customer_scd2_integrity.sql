{#- SCD2 integrity of dim_customer: exactly one current row per customer, the current row is the last
    version and ends 9999-12-31, and each version starts exactly where the previous one ended (no gaps,
    no overlaps, valid_from < valid_to). Returns the offending rows. -#}
with

versions as (
    select
        customer_id,
        customer_version,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (partition by customer_id order by valid_from) as next_valid_from,
        count(*) over (partition by customer_id) as versions,
        sum(case when is_current then 1 else 0 end) over (partition by customer_id) as current_rows
    from {{ ref('dim_customer') }}
),

problems as (
    select customer_id, customer_version, 'not exactly one current row' as problem
    from versions
    where current_rows <> 1

    union all

    select customer_id, customer_version, 'gap or overlap with the next version'
    from versions
    where next_valid_from is not null and next_valid_from <> valid_to

    union all

    select customer_id, customer_version, 'empty or inverted validity'
    from versions
    where valid_from >= valid_to

    union all

    select customer_id, customer_version, 'current row is not the last version or does not end 9999-12-31'
    from versions
    where is_current
        and (next_valid_from is not null or valid_to <> cast('9999-12-31 00:00:00' as timestamp))
)

select * from problems
