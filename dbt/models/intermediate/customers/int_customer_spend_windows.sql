{#-
    One row per customer with transactions: lifetime totals and the rolling windows every customer mart
    uses, all anchored on the as-of date (dbt var `as_of`). Spend = APPROVED transactions only;
    declined attempts are counted separately.

    Windows (half-open, days relative to the as-of midnight):
      last 30 days  [as_of - 30, ...)      last 90 days [as_of - 90, ...)   prior 90 days [as_of - 180, as_of - 90)
      baseline 180 days [as_of - 270, as_of - 90): the customer's own earlier level, for "declining"
    The recent windows are open-ended so transactions streamed in after the as-of date count as recent.

    Incremental (delete+insert by customer), additive: a run aggregates only the silver rows loaded since
    this table's last load (macros/incremental_scope.sql) and adds them to each affected customer's stored
    row: counts and sums add, first/last/min/max combine, and the standard deviation comes from the exact
    sum of squares kept alongside. So a streamed batch costs what its rows cost, whatever the customers'
    history, and the result always equals a full rebuild. An as-of change requires --full-refresh (checked).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='customer_id',
    on_schema_change='fail',
) }}


{%- set last_30 = c360.as_of_plus_days(-30) -%}
{%- set last_90 = c360.as_of_plus_days(-90) -%}
{%- set prior_90 = c360.as_of_plus_days(-180) -%}
{%- set baseline = c360.as_of_plus_days(-270) -%}
{#- the columns that add up across batches (everything but the first/last/min/max and the deviation) -#}
{%- set additive = [
    'attempted_transactions', 'approved_transactions', 'declined_transactions', 'lifetime_spend',
    'approved_amount_squares', 'spend_last_30_days', 'spend_last_90_days', 'spend_prior_90_days',
    'spend_baseline_180_days', 'transactions_last_30_days', 'transactions_last_90_days',
    'transactions_prior_90_days', 'declined_last_90_days', 'attempts_last_90_days', 'campaign_pre_spend',
    'campaign_post_spend', 'campaign_post_transactions',
] -%}
{%- set money_columns = [
    'lifetime_spend', 'spend_last_30_days', 'spend_last_90_days', 'spend_prior_90_days',
    'spend_baseline_180_days', 'campaign_pre_spend', 'campaign_post_spend',
] -%}

with

{{ c360.new_transactions_scope(ref('stg_transactions'), check_as_of=true) }}

batch as (
    select
        customer_id,
        count(*) as attempted_transactions,
        sum(case when is_approved then 1 else 0 end) as approved_transactions,
        sum(case when is_approved then 0 else 1 end) as declined_transactions,
        {{ c360.money('sum(case when is_approved then transaction_amount else 0 end)') }} as lifetime_spend,
        cast(sum(case when is_approved then transaction_amount * transaction_amount else 0 end) as decimal(38, 4))
            as approved_amount_squares,
        min(case when is_approved then transaction_date end) as first_transaction_at,
        max(case when is_approved then transaction_date end) as last_transaction_at,
        max(transaction_date) as last_attempt_at,
        min(case when is_approved then transaction_amount end) as min_transaction_value,
        max(case when is_approved then transaction_amount end) as max_transaction_value,

        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ last_30 ~ ' then transaction_amount else 0 end)') }}
            as spend_last_30_days,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ last_90 ~ ' then transaction_amount else 0 end)') }}
            as spend_last_90_days,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ prior_90 ~ ' and transaction_date < ' ~ last_90 ~ ' then transaction_amount else 0 end)') }}
            as spend_prior_90_days,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ baseline ~ ' and transaction_date < ' ~ last_90 ~ ' then transaction_amount else 0 end)') }}
            as spend_baseline_180_days,
        sum(case when is_approved and transaction_date >= {{ last_30 }} then 1 else 0 end) as transactions_last_30_days,
        sum(case when is_approved and transaction_date >= {{ last_90 }} then 1 else 0 end) as transactions_last_90_days,
        sum(
            case when is_approved and transaction_date >= {{ prior_90 }} and transaction_date < {{ last_90 }} then 1 else 0 end
        ) as transactions_prior_90_days,
        sum(case when not is_approved and transaction_date >= {{ last_90 }} then 1 else 0 end) as declined_last_90_days,
        sum(case when transaction_date >= {{ last_90 }} then 1 else 0 end) as attempts_last_90_days,

        -- the retention campaign's periods (macros/campaign.sql)
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ c360.campaign_pre_start() ~ ' and transaction_date < ' ~ c360.campaign_offer_month() ~ ' then transaction_amount else 0 end)') }}
            as campaign_pre_spend,
        {{ c360.money('sum(case when is_approved and transaction_date >= ' ~ c360.campaign_post_start() ~ ' and transaction_date < ' ~ c360.as_of_timestamp() ~ ' then transaction_amount else 0 end)') }}
            as campaign_post_spend,
        sum(
            case when is_approved and transaction_date >= {{ c360.campaign_post_start() }} and transaction_date < {{ c360.as_of_timestamp() }} then 1 else 0 end
        ) as campaign_post_transactions
    from new_transactions
    group by customer_id
),

{% if is_incremental() %}
previous as (
    select *
    from {{ this }}
    where customer_id in (select customer_id from batch)
),

combined as (
    select
        b.customer_id,
        {%- for column in additive %}
        {%- set total = 'coalesce(p.' ~ column ~ ', 0) + b.' ~ column %}
        {% if column in money_columns %}{{ c360.money(total) }}{% elif column == 'approved_amount_squares' %}cast({{ total }} as decimal(38, 4)){% else %}{{ total }}{% endif %} as {{ column }},
        {%- endfor %}
        {{ c360.earliest('p.first_transaction_at', 'b.first_transaction_at') }} as first_transaction_at,
        {{ c360.latest('p.last_transaction_at', 'b.last_transaction_at') }} as last_transaction_at,
        {{ c360.latest('p.last_attempt_at', 'b.last_attempt_at') }} as last_attempt_at,
        {{ c360.earliest('p.min_transaction_value', 'b.min_transaction_value') }} as min_transaction_value,
        {{ c360.latest('p.max_transaction_value', 'b.max_transaction_value') }} as max_transaction_value
    from batch as b
    left join previous as p
        on b.customer_id = p.customer_id
),
{% else %}
combined as (
    select * from batch
),
{% endif %}

final as (
    select
        customer_id,
        attempted_transactions,
        approved_transactions,
        declined_transactions,
        lifetime_spend,
        first_transaction_at,
        last_transaction_at,
        last_attempt_at,
        min_transaction_value,
        max_transaction_value,
        {{ c360.stddev_from_sums('approved_transactions', 'lifetime_spend', 'approved_amount_squares') }}
            as transaction_value_stddev,
        spend_last_30_days,
        spend_last_90_days,
        spend_prior_90_days,
        spend_baseline_180_days,
        transactions_last_30_days,
        transactions_last_90_days,
        transactions_prior_90_days,
        declined_last_90_days,
        attempts_last_90_days,
        campaign_pre_spend,
        campaign_post_spend,
        campaign_post_transactions,
        approved_amount_squares,
        {{ c360.as_of_date() }} as as_of,
        {{ c360.load_timestamp() }} as loaded_at
    from combined
)

select * from final
