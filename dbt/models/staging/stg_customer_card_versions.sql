{#-
    Card versions: each customer's distinct (card_type, credit_limit) states in the order they took effect
    (updated_at; a delivery without one takes effect when it was ingested), consecutive repeats collapsed,
    so a version starts exactly when the card or the limit changed. Feeds the customers_snapshot snapshot
    (timestamp strategy on version_started_at), which turns them into SCD2 history.

    A snapshot records at most one new version per customer per run, so this view hands it ONE version per
    customer: the latest by default, or the n-th when the dbt var `customer_card_version` is n. When several
    versions of a customer arrived since the last build (the first build: every change of the history),
    the dbt_build step replays them in order, one pass per version (c360/steps/dbt_build.py); a version
    older than the one the snapshot holds is ignored by the timestamp strategy, so a pass never goes back.
-#}
with

source as (
    select * from {{ source('bronze', 'bronze_customers') }}
),

deliveries as (
    select
        cast(trim(customer_id) as {{ dbt.type_string() }}) as customer_id,
        trim(card_type) as card_type,
        cast(credit_limit as decimal(12, 2)) as credit_limit,
        cast(coalesce(updated_at, ingestion_timestamp) as timestamp) as effective_at
    from source
    where customer_id is not null and trim(customer_id) <> ''
    -- one state per customer and effective time: the latest delivered
    qualify row_number() over (
        partition by trim(customer_id), coalesce(updated_at, ingestion_timestamp)
        order by ingestion_timestamp desc, source_row_number desc
    ) = 1
),

compared as (
    select
        *,
        lag(card_type) over (partition by customer_id order by effective_at) as previous_card_type,
        lag(credit_limit) over (partition by customer_id order by effective_at) as previous_credit_limit,
        row_number() over (partition by customer_id order by effective_at) as delivery_number
    from deliveries
),

versions as (
    select
        customer_id,
        card_type,
        credit_limit,
        effective_at as version_started_at,
        row_number() over (partition by customer_id order by effective_at) as card_version,
        count(*) over (partition by customer_id) as card_versions
    from compared
    where delivery_number = 1
        or card_type is distinct from previous_card_type
        or credit_limit is distinct from previous_credit_limit
),

final as (
    select
        customer_id,
        card_type,
        credit_limit,
        version_started_at,
        {{ c360.load_timestamp() }} as recorded_at
    from versions
    {%- if var('customer_card_version', none) is not none %}
    where card_version = least(card_versions, {{ var('customer_card_version') | int }})
    {%- else %}
    where card_version = card_versions
    {%- endif %}
)

select * from final
