{#- Customers: the latest state of each customer_id, trimmed, normalised and typed. The latest state is
    the delivery with the latest updated_at (when the source system recorded it; a delivery without one
    counts from when it was ingested), then the latest ingested, then the highest row number. -#}
with

source as (
    select * from {{ source('bronze', 'bronze_customers') }}
),

latest_delivery as (
    select *
    from source
    where customer_id is not null and trim(customer_id) <> ''
    qualify row_number() over (
        partition by trim(customer_id)
        order by coalesce(updated_at, ingestion_timestamp) desc, ingestion_timestamp desc, source_row_number desc
    ) = 1
),

renamed as (
    select
        cast(trim(customer_id) as {{ dbt.type_string() }}) as customer_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        lower(trim(email)) as email,
        cast(age as integer) as age,
        upper(trim(state)) as state,
        trim(city) as city,
        trim(employment_status) as employment_status,
        trim(card_type) as card_type,
        cast(credit_limit as decimal(12, 2)) as credit_limit,
        cast(account_open_date as date) as account_open_date,
        lower(trim(campaign_group)) as campaign_group,
        -- generator truth: documented, kept in silver for validation only, never in gold or a model
        customer_segment as synthetic_segment,
        decline_type as synthetic_decline_type,
        cast(attrition_date as date) as synthetic_attrition_date,
        attrition_type as synthetic_attrition_type,
        cast(coalesce(updated_at, ingestion_timestamp) as timestamp) as updated_at,
        ingestion_timestamp as ingested_at,
        source_file,
        source_row_number
    from latest_delivery
)

select * from renamed
